"""clean: a custom Dataset read by a DataLoader with num_workers=2, a residual
MLP, Adam, evaluation under torch.no_grad() every epoch."""
# traindebug-expect: clean
import torch
from sklearn.datasets import make_classification
from torch import nn
from torch.utils.data import DataLoader, Dataset


class Table(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class ResBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.ReLU(), nn.Linear(d, d))

    def forward(self, x):
        return x + self.net(x)


def main():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=3000, n_features=24, n_informative=12, n_classes=3, random_state=2)
    train = DataLoader(Table(X[:2400], y[:2400]), batch_size=64, shuffle=True, num_workers=2)
    val = DataLoader(Table(X[2400:], y[2400:]), batch_size=256, num_workers=2)
    model = nn.Sequential(nn.Linear(24, 64), ResBlock(64), ResBlock(64), nn.Linear(64, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(8):
        model.train()
        for xb, yb in train:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val_loss = sum(nn.functional.cross_entropy(model(xb), yb, reduction="sum").item() for xb, yb in val) / 600
        print(epoch, round(val_loss, 4))


if __name__ == "__main__":
    main()

"""Seeded bug: Adam with lr=0.3 on a small CNN (digits as 1x8x8 images). Adam's
step is about lr per weight, so every update moves weights by a large fraction
of their size; the loss stalls far above its reachable level or blows up."""
# traindebug-expect: lr_too_high
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def main() -> None:
    torch.manual_seed(1)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
    y = torch.tensor(y)
    data = torch.utils.data.TensorDataset(X, y)
    loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)
    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.3)  # BUG: ~1000x the usual 1e-3
    for epoch in range(4):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        print("epoch", epoch, "loss", float(loss))


if __name__ == "__main__":
    main()

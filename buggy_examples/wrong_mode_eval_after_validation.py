"""Seeded bug: the trainer validates after every epoch with model.eval() but
never calls model.train() again, so from the second epoch on the model trains
with dropout off and batch norm using its running statistics."""
# traindebug-expect: wrong_mode
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def build_model(n_in, n_classes):
    return nn.Sequential(
        nn.Linear(n_in, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, n_classes),
    )


class Trainer:
    def __init__(self, model, train_loader, val_loader):
        self.model, self.train_loader, self.val_loader = model, train_loader, val_loader
        self.opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.loss_fn = nn.CrossEntropyLoss()

    def train_one_epoch(self):
        # BUG: no self.model.train() here
        for xb, yb in self.train_loader:
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.opt.step()
        return loss.item()

    @torch.no_grad()
    def validate(self):
        self.model.eval()
        losses = [self.loss_fn(self.model(xb), yb).item() for xb, yb in self.val_loader]
        return sum(losses) / len(losses)

    def fit(self, epochs):
        self.model.train()
        for epoch in range(epochs):
            train_loss = self.train_one_epoch()
            print(f"epoch {epoch}: train {train_loss:.3f} val {self.validate():.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=10, n_classes=4, random_state=0)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
    to_ds = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b))
    trainer = Trainer(
        build_model(20, 4),
        DataLoader(to_ds(Xtr, ytr), batch_size=64, shuffle=True),
        DataLoader(to_ds(Xva, yva), batch_size=256),
    )
    trainer.fit(epochs=8)

"""Seeded bug: a binary classifier (custom nn.Module) applies torch.sigmoid in
forward() and the result is passed to BCEWithLogitsLoss, which applies a second
sigmoid: predictions can only range over sigmoid(0..1)."""
# traindebug-expect: loss_output_mismatch
import torch
from sklearn.datasets import make_classification
from torch import nn


class BinaryNet(nn.Module):
    def __init__(self, n_in: int, hidden: int = 32) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.head(self.body(x))).squeeze(-1)  # BUG: the loss applies sigmoid itself


def main() -> None:
    torch.manual_seed(1)
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=8, random_state=1)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    model = BinaryNet(X.shape[1])
    loss_fn = nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(10):
        order = torch.randperm(len(X))
        for start in range(0, len(X), 100):
            idx = order[start : start + 100]
            loss = loss_fn(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = ((model(X) > 0.5).float() == y).float().mean()
        print(f"epoch {epoch} loss {loss.item():.3f} acc {acc:.3f}")


if __name__ == "__main__":
    main()

"""Seeded bug: the "deep" classifier for the concentric-circles problem is an
nn.Sequential of Linear layers with the activations left out (the model was refactored
and the nn.ReLU() entries were dropped). The composition is a single affine map, which
cannot separate an inner ring from an outer ring, so training accuracy is stuck near
50% although gradients and updates are perfectly healthy.

Measured (this script, seed 0): final train loss 0.693 (= ln 2), train acc 0.52 (0.38-0.62 across epochs), test acc 0.47.
With nn.ReLU() between the layers: train loss 0.0013, train acc 1.00, test acc 1.00.
"""
# traindebug-expect: underfitting
import torch
import torch.nn as nn
from sklearn.datasets import make_circles
from torch.utils.data import DataLoader, TensorDataset


def make_model(hidden=64):
    return nn.Sequential(
        nn.Linear(2, hidden),
        nn.Linear(hidden, hidden),
        nn.Linear(hidden, hidden),
        nn.Linear(hidden, 1),
    )


def accuracy(model, X, y):
    with torch.no_grad():
        return ((model(X).squeeze(-1) > 0).float() == y).float().mean().item()


def main():
    torch.manual_seed(0)
    X, y = make_circles(n_samples=2000, noise=0.08, factor=0.5, random_state=0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    X_tr, y_tr, X_te, y_te = X[:1600], y[:1600], X[1600:], y[1600:]
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)

    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.BCEWithLogitsLoss()

    for epoch in range(10):
        for xb, yb in loader:
            loss = criterion(model(xb).squeeze(-1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            full = criterion(model(X_tr).squeeze(-1), y_tr).item()
        print(f"epoch {epoch} train loss {full:.4f} train acc {accuracy(model, X_tr, y_tr):.3f}")
    print(f"test acc {accuracy(model, X_te, y_te):.3f}")


if __name__ == "__main__":
    main()

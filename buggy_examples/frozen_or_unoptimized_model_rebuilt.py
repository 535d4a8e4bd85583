"""Seeded bug: the model is re-created after the optimizer was built, so the
optimizer updates the parameters of the first (unused) model while the model
that is trained gets gradients and never changes."""
# traindebug-expect: frozen_or_unoptimized
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn


def build(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(13, hidden), nn.ReLU(), nn.Linear(hidden, 3))


torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)

model = build(32)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model = build(64)  # BUG: "try a wider model" -- but the optimizer still holds the old one
for epoch in range(40):
    perm = torch.randperm(len(X))  # load_wine is sorted by class
    for xb, yb in zip(X[perm].split(32), y[perm].split(32)):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 0:
        print(epoch, loss.item())

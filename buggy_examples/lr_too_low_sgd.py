"""Seeded bug: SGD with lr=1e-5 (a typo for 1e-1?); gradients are healthy but
each step changes the weights by ~1e-6 of their size, so the loss stays flat."""
# traindebug-expect: lr_too_low
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=1e-5)  # BUG: far too small for plain SGD
for epoch in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[b]), y[b])
        loss.backward()
        opt.step()
    print(epoch, loss.item())

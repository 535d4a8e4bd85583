"""Seeded bug: training with an exponential-moving-average copy of the model;
the loop calls ema.zero_grad() (the copy) instead of model.zero_grad(), so the
trained model's gradients are never reset."""
# traindebug-expect: missing_zero_grad
import copy

import torch
from sklearn.datasets import load_digits
from torch import nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 64), nn.GELU())
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(self.body(x))


@torch.no_grad()
def update_ema(ema, model, decay=0.99):
    for pe, p in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(p, alpha=1 - decay)


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = MLP()
ema = copy.deepcopy(model).requires_grad_(False)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
for epoch in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        ema.zero_grad()  # BUG: resets the EMA copy, not the model being trained
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        update_ema(ema, model)
    print(epoch, loss.item())

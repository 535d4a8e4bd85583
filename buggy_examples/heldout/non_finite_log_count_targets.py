"""Seeded bug: a count regressor trained on log(counts) where some counts are
zero: log(0) = -inf targets make the MSE infinite and the gradients NaN."""
# traindebug-expect: non_finite
import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 8)).astype(np.float32)
rate = np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.2 * X[:, 2])
counts = rng.poisson(rate).astype(np.float32)  # ~30 % zeros
y = np.log(counts)  # BUG: should be log1p
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(10):
    for xb, yb in zip(Xt.split(64), yt.split(64)):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb).squeeze(1), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

"""Seeded bug: a "fill missing values" step assigns the column mean to whole
columns instead of only to the missing entries, so 14 of the 18 input features
are constant and the network sees almost nothing of the data."""
# traindebug-expect: input_scale
import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

rng = np.random.default_rng(0)
X, y = make_classification(n_samples=2500, n_features=18, n_informative=10, random_state=7)
X[rng.random(X.shape) < 0.05] = np.nan  # 5 % missing values
for j in range(X.shape[1]):
    missing = np.isnan(X[:, j])
    if missing.any() and j >= 4:
        X[:, j] = np.nanmean(X[:, j])  # BUG: should be X[missing, j] = ...
X = np.nan_to_num(X)

torch.manual_seed(0)
inputs, targets = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
model = nn.Sequential(nn.Linear(18, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    perm = torch.randperm(len(inputs))
    for i in range(0, len(inputs), 64):
        idx = perm[i : i + 64]
        loss = nn.functional.cross_entropy(model(inputs[idx]), targets[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())

"""Seeded bug: the diabetes progression score is turned into a binary label
with a threshold above its maximum (a leftover from another dataset), so every
label is 0 and the classifier has nothing to learn."""
# traindebug-expect: label_problem
import numpy as np
import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(0)
X, score = load_diabetes(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
labels = (score > 400).astype(np.int64)  # BUG: the score never exceeds 346
X, labels = torch.tensor(X, dtype=torch.float32), torch.tensor(labels)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(25):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = nn.functional.cross_entropy(model(X[idx]), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, f"{loss.item():.5f}")

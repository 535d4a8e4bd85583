"""Seeded bug: the validation targets are float (read as float64 from numpy)
while cross_entropy expects class indices; the script crashes at the first
evaluation after 50 training steps."""
# traindebug-expect: script_error
import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

rng = np.random.default_rng(0)
X, y = make_classification(n_samples=1000, n_features=20, n_classes=3, n_informative=6, random_state=0)
Xtr, ytr = torch.tensor(X[:800], dtype=torch.float32), torch.tensor(y[:800])
Xva, yva = torch.tensor(X[800:], dtype=torch.float32), torch.tensor(y[800:].astype(np.float64))  # BUG

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(1, 301):
    idx = torch.from_numpy(rng.integers(0, 800, 32))
    loss = nn.functional.cross_entropy(model(Xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        with torch.no_grad():
            val = nn.functional.cross_entropy(model(Xva), yva.view(-1, 1))
        print(step, loss.item(), val.item())

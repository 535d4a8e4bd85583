"""Seeded bug: an embedding is computed with torch, then normalised in numpy and
turned back into a tensor; the round trip through numpy drops the graph, so the
embedding network never receives a gradient (only the regression head learns)."""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
from sklearn.datasets import make_regression
from torch import nn

torch.manual_seed(0)
X, y = make_regression(n_samples=800, n_features=16, noise=5.0, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)

embed = nn.Sequential(nn.Linear(16, 32), nn.Tanh())
head = nn.Linear(32, 1)
params = list(embed.parameters()) + list(head.parameters())
opt = torch.optim.RMSprop(params, lr=1e-3)
for step in range(250):
    idx = torch.randint(0, len(X), (32,))
    z = embed(X[idx]).detach().numpy()
    z = (z - z.mean(0)) / (z.std(0) + 1e-6)
    z = torch.from_numpy(z.astype(np.float32))  # BUG: graph lost in numpy
    loss = ((head(z).squeeze(1) - y[idx]) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()

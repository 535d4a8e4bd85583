"""Seeded bug: a price regressor (generated tabular data) trained with
L1Loss on prices in dollars (1e5 .. 1e6) while the features are standardised;
the network must produce outputs of order 1e5 from unit-scale weights."""
# traindebug-expect: input_scale
import numpy as np
import torch
from sklearn.datasets import make_regression
from torch import nn


class PriceModel(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.l1 = nn.Linear(d, 64)
        self.l2 = nn.Linear(64, 64)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        x = torch.relu(self.l1(x))
        x = torch.relu(self.l2(x))
        return self.out(x).squeeze(-1)


rng = np.random.default_rng(0)
X, z = make_regression(n_samples=2000, n_features=12, n_informative=8, noise=5.0, random_state=0)
price = 350_000 + 1_200 * z  # BUG: dollars, never standardised
X = (X - X.mean(0)) / X.std(0)
Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(price, dtype=torch.float32)
model = PriceModel(12)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.L1Loss()
for epoch in range(10):
    perm = torch.randperm(len(Xt))
    for i in range(0, len(Xt), 64):
        b = perm[i : i + 64]
        loss = loss_fn(model(Xt[b]), yt[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch} MAE ${loss.item():,.0f}")

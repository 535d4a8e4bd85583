"""Seeded bug: a tabular regression model (California-like generated data)
with a categorical embedding; the embedding lookup is concatenated with the
numeric features through `.data` ("to avoid a dtype warning"), which cuts
the embedding out of the graph. The region embedding never gets a gradient
and stays at its random init; the test MSE ends at ~0.14 vs ~0.04 when the
embedding is trained (measured)."""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(0)
n = 6000
region = rng.integers(0, 30, n)
numeric = rng.normal(0, 1, (n, 6)).astype(np.float32)
region_effect = rng.normal(0, 1.0, 30)
target = (region_effect[region] + numeric[:, 0] - 0.5 * numeric[:, 1] ** 2 + 0.3 * numeric[:, 2] * numeric[:, 3]
          + rng.normal(0, 0.3, n)).astype(np.float32)
target = (target - target.mean()) / target.std()


class HousingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.region = nn.Embedding(30, 6)
        self.mlp = nn.Sequential(nn.Linear(12, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))

    def forward(self, region, numeric):
        emb = self.region(region).data  # BUG: .data detaches the embedding
        return self.mlp(torch.cat([emb, numeric], 1)).squeeze(1)


torch.manual_seed(0)
r, x, t = torch.tensor(region), torch.tensor(numeric), torch.tensor(target)
model = HousingNet()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for step in range(300):
    idx = torch.randint(0, 5000, (128,))
    loss = nn.functional.mse_loss(model(r[idx], x[idx]), t[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 99:
        with torch.no_grad():
            print(step, "test mse", nn.functional.mse_loss(model(r[5000:], x[5000:]), t[5000:]).item())

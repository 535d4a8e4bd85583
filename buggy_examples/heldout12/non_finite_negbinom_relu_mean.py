"""Negative-binomial count regression (MLP mean + learned dispersion) on synthetic store-visit counts.

Seeded bug: the expected count is made non-negative with F.relu on the mean head. Whenever a sample's
head output is <= 0, mu is exactly 0, so log(mu / (r + mu)) = -inf; for a zero count this gives
0 * -inf = NaN in the log-likelihood (and in the gradients), which then poisons every parameter.
Measured: loss is NaN from optimizer step 1 on; final val nll = nan, val MAE = nan.
With softplus instead of relu (fixed copy, same seed): val nll 2.209, val MAE 2.86 vs 4.04 for the
mean-only baseline.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2)
np.random.seed(1)
torch.set_num_threads(1)

# synthetic overdispersed count data (e.g. daily visits per store)
n, d = 4000, 8
Xn = np.random.randn(n, d).astype(np.float32)
log_mu = 1.0 + 0.6 * Xn[:, 0] - 0.4 * Xn[:, 1] + 0.5 * np.tanh(Xn[:, 2] * Xn[:, 3]) + 0.3 * Xn[:, 4] ** 2 - 0.3
r_true = 3.0
p = r_true / (r_true + np.exp(log_mu))
counts = np.random.negative_binomial(r_true, p).astype(np.float32)

X = torch.tensor(Xn)
Y = torch.tensor(counts)
Xtr, Ytr, Xva, Yva = X[:3200], Y[:3200], X[3200:], Y[3200:]


class NBRegressor(nn.Module):
    def __init__(self, d, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.mean_head = nn.Linear(hidden, 1)
        self.log_r = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        h = self.net(x)
        mu = F.relu(self.mean_head(h)).squeeze(-1)  # expected count must be non-negative
        return mu, self.log_r.exp()


def nb_nll(mu, r, y):
    ll = (torch.lgamma(y + r) - torch.lgamma(r) - torch.lgamma(y + 1)
          + r * torch.log(r / (r + mu)) + y * torch.log(mu / (r + mu)))
    return -ll.mean()


model = NBRegressor(d)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
batch = 128
step = 0
for epoch in range(12):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        mu, r = model(Xtr[idx])
        loss = nb_nll(mu, r, Ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  nll {loss.item():.4f}  r {r.item():.3f}")

with torch.no_grad():
    mu, r = model(Xva)
    print(f"val nll {nb_nll(mu, r, Yva).item():.4f}  val MAE {(mu - Yva).abs().mean().item():.3f}  "
          f"(baseline MAE {(Yva - Ytr.mean()).abs().mean().item():.3f})  steps {step}")

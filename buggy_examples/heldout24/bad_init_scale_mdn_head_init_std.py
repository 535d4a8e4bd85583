"""Mixture density network (5 Gaussian components, tanh trunk) for the one-to-many inverse
sine problem, trained with RMSprop.

Seeded bug (bad_init_scale): the three output heads are initialised with
nn.init.normal_(std=init_std) and init_std defaults to 1.0, i.e. a per-weight std of 1.0
on a 48-wide layer (about 7x the default fan-in scale). At step 0 the mixture means have
std 1.30 (targets lie in [0, 1]), log-sigma outputs span -4.7 .. 2.5 (sigma 0.009 .. 12.5)
and the mixture logits have std 1.46.

Measured: initial NLL 2.62 vs 1.05 for the fixed copy (init_std=0.1). After 300 steps
the buggy run is unstable (val NLL 0.33 -> 0.98 -> 0.70 -> 0.31) and ends at val NLL
0.307; the fixed copy ends at -0.810.
"""
# traindebug-expect: bad_init_scale
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def inverse_sine_data(n, rng):
    """Classic one-to-many problem: x = y + 0.3 sin(2 pi y) + noise, predict y from x."""
    y = rng.uniform(0.0, 1.0, n)
    x = y + 0.3 * np.sin(2 * np.pi * y) + rng.uniform(-0.1, 0.1, n)
    return x.astype(np.float32)[:, None], y.astype(np.float32)[:, None]


class MixtureDensityNet(nn.Module):
    def __init__(self, n_hidden=48, n_components=5, init_std=1.0):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(1, n_hidden), nn.Tanh(),
            nn.Linear(n_hidden, n_hidden), nn.Tanh(),
        )
        self.pi = nn.Linear(n_hidden, n_components)
        self.mu = nn.Linear(n_hidden, n_components)
        self.log_sigma = nn.Linear(n_hidden, n_components)
        for head in (self.pi, self.mu, self.log_sigma):
            nn.init.normal_(head.weight, std=init_std)
            nn.init.zeros_(head.bias)

    def forward(self, x):
        h = self.trunk(x)
        return F.log_softmax(self.pi(h), dim=-1), self.mu(h), self.log_sigma(h)


def mdn_nll(log_pi, mu, log_sigma, y):
    z = (y - mu) / torch.exp(log_sigma)
    log_comp = -0.5 * z ** 2 - log_sigma - 0.5 * math.log(2 * math.pi)
    return -torch.logsumexp(log_pi + log_comp, dim=-1).mean()


rng = np.random.default_rng(0)
x_tr, y_tr = inverse_sine_data(2000, rng)
x_va, y_va = inverse_sine_data(500, rng)
x_mean, x_std = x_tr.mean(), x_tr.std()
x_tr, x_va = (x_tr - x_mean) / x_std, (x_va - x_mean) / x_std
x_tr, y_tr, x_va, y_va = map(torch.from_numpy, (x_tr, y_tr, x_va, y_va))

model = MixtureDensityNet()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)

batch = 100
for epoch in range(15):
    perm = torch.randperm(len(x_tr))
    tot = 0.0
    for i in range(0, len(x_tr), batch):
        idx = perm[i:i + batch]
        loss = mdn_nll(*model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    if epoch % 3 == 0 or epoch == 14:
        with torch.no_grad():
            va = mdn_nll(*model(x_va), y_va).item()
        print(f"epoch {epoch:2d} train nll {tot / len(x_tr):9.3f} val nll {va:9.3f}")

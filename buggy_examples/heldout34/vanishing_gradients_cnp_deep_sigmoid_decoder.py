"""
Conditional neural process (Garnelo et al. 2018) on random 1-D functions (sums of three
sinusoids with random frequency, phase and amplitude on [-2, 2], 60 points per function,
5-29 random context points). Deterministic encoder (ReLU MLP on (x, y), mean-pooled), decoder
MLP on [x_target, r] with 8 hidden layers of width 64 predicting mean and softplus std;
Gaussian NLL, Adam lr 1e-3, batches of 16 functions, 300 iterations, validation NLL/MSE on
fixed held-out functions with 15 context points.

Seeded bug: the decoder is built as mlp([...], act) with act=nn.Sigmoid as the default (the
author picked a "smooth" activation for smooth functions). Eight stacked sigmoid layers
(derivative at most 0.25, default PyTorch init) shrink the backward signal by several orders
of magnitude, so the encoder and the first decoder layers receive essentially no gradient
and the model only learns the global mean and a constant wide variance.

Measured (seed 0, 1 thread): buggy: validation NLL 1.153, validation MSE 0.585 (equal to
predicting zero; initial 1.159 / 0.590). Fixed copy (act=nn.ReLU): validation NLL 0.564,
validation MSE 0.173.
"""
# traindebug-expect: vanishing_gradients
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def sample_functions(batch, n_points, rng):
    """Random smooth 1-D functions: sums of three sinusoids with random frequency/phase."""
    x = rng.uniform(-2, 2, size=(batch, n_points, 1))
    freq = rng.uniform(0.5, 2.0, size=(batch, 1, 3))
    phase = rng.uniform(0, 2 * np.pi, size=(batch, 1, 3))
    amp = rng.uniform(0.2, 1.0, size=(batch, 1, 3))
    y = (amp * np.sin(freq * x + phase)).sum(-1, keepdims=True)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def mlp(sizes, act):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act()]
    return nn.Sequential(*layers[:-1])


class ConditionalNP(nn.Module):
    def __init__(self, r_dim=64, hidden=64, decoder_depth=8, act=nn.Sigmoid):
        super().__init__()
        self.encoder = mlp([2, hidden, hidden, r_dim], nn.ReLU)
        self.decoder = mlp([1 + r_dim] + [hidden] * decoder_depth + [2], act)

    def forward(self, xc, yc, xt):
        r = self.encoder(torch.cat([xc, yc], -1)).mean(1, keepdim=True)
        h = torch.cat([xt, r.expand(-1, xt.shape[1], -1)], -1)
        mu, raw_sigma = self.decoder(h).chunk(2, dim=-1)
        sigma = 0.05 + 0.95 * F.softplus(raw_sigma)
        return mu, sigma


def nll(mu, sigma, y):
    return -torch.distributions.Normal(mu, sigma).log_prob(y).mean()


model = ConditionalNP()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
rng = np.random.RandomState(0)
val_rng = np.random.RandomState(42)
xv, yv = sample_functions(64, 60, val_rng)

t0 = time.time()
for it in range(1, 301):
    x, y = sample_functions(16, 60, rng)
    n_ctx = rng.randint(5, 30)
    perm = torch.randperm(60)
    xc, yc = x[:, perm[:n_ctx]], y[:, perm[:n_ctx]]
    mu, sigma = model(xc, yc, x)
    loss = nll(mu, sigma, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if it % 50 == 0 or it == 1:
        with torch.no_grad():
            mu_v, sig_v = model(xv[:, :15], yv[:, :15], xv[:, 15:])
            v_nll = nll(mu_v, sig_v, yv[:, 15:]).item()
            v_mse = F.mse_loss(mu_v, yv[:, 15:]).item()
        print(f"iter {it:4d}  train nll {loss.item():.3f}  val nll {v_nll:.3f}  val mse {v_mse:.3f}")
print(f"final val nll {v_nll:.3f}  val mse {v_mse:.3f}  ({time.time() - t0:.1f}s)")

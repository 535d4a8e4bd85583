"""Diagonal linear state-space model (LRU-style real recurrence h_t = a * h_{t-1} + B u_t, readout
C h_t + D u_t, then a small GELU MLP) mapping a noisy accelerometer-like trace (96 steps) to its
smoothed envelope. Decays are parameterised as a = exp(-exp(nu_log)) with nu_log initialised
from radii uniform in [0.9, 0.999]. Adam lr 3e-3, 180 steps of fresh batches of 32, MSE; the
gradient norm is logged.

Seeded bug: a dropped minus sign in decay(): torch.exp(torch.exp(nu_log)) instead of
torch.exp(-torch.exp(nu_log)). Every decay becomes a = 1.001..1.11 > 1, so the recurrence
amplifies through time (1.1^96 ~ 1e4): gradients w.r.t. early inputs and the recurrence grow
exponentially along the sequence, and this parameterisation can never bring a below 1. Realistic:
a one-character slip in a stability-guaranteeing parameterisation.

Measured: buggy grad norm 5.4e5 at step 1, 2e4 at step 40, still 50-1e3 later; final val MSE
0.293 (target variance 0.353, i.e. barely better than predicting the mean). Fixed copy
(exp(-exp(nu_log))): grad norm 8.2 at step 1 then 0.1-1; final val MSE 0.033.
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEQ_LEN = 96
D_STATE = 32
BATCH = 32
STEPS = 180


def make_batch(n, rng):
    """Noisy accelerometer-like trace -> smoothed envelope (what a low-pass sensor would report)."""
    t = np.arange(SEQ_LEN)
    f1 = rng.uniform(0.02, 0.08, size=(n, 1))
    f2 = rng.uniform(0.15, 0.3, size=(n, 1))
    amp = rng.uniform(0.5, 1.5, size=(n, 1))
    x = amp * np.sin(2 * np.pi * f1 * t) + 0.5 * np.sin(2 * np.pi * f2 * t) + 0.3 * rng.standard_normal((n, SEQ_LEN))
    y = np.zeros_like(x)
    s_fast, s_slow = np.zeros(n), np.zeros(n)
    for k in range(SEQ_LEN):
        s_fast = 0.7 * s_fast + 0.3 * x[:, k]
        s_slow = 0.95 * s_slow + 0.05 * x[:, k] ** 2
        y[:, k] = s_fast + np.sqrt(s_slow)
    return torch.tensor(x, dtype=torch.float32).unsqueeze(-1), torch.tensor(y, dtype=torch.float32)


class DiagonalSSM(nn.Module):
    """Real diagonal linear recurrence h_t = a * h_{t-1} + B u_t with a learned decay per channel."""

    def __init__(self, d_in, d_state, r_min=0.9, r_max=0.999):
        super().__init__()
        r = torch.empty(d_state).uniform_(r_min, r_max)
        self.nu_log = nn.Parameter(torch.log(-torch.log(r)))
        self.B = nn.Linear(d_in, d_state, bias=False)
        self.C = nn.Linear(d_state, d_state)
        self.D = nn.Linear(d_in, d_state, bias=False)

    def decay(self):
        return torch.exp(torch.exp(self.nu_log))

    def forward(self, u):                      # u: (B, T, d_in)
        a = self.decay()
        bu = self.B(u)
        h = torch.zeros(u.shape[0], a.shape[0])
        outs = []
        for t in range(u.shape[1]):
            h = a * h + bu[:, t]
            outs.append(h)
        hs = torch.stack(outs, dim=1)
        return self.C(hs) + self.D(u)


class SSMRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.ssm = DiagonalSSM(1, D_STATE)
        self.readout = nn.Sequential(nn.GELU(), nn.Linear(D_STATE, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.readout(self.ssm(x)).squeeze(-1)


rng = np.random.default_rng(0)
X_val, Y_val = make_batch(256, rng)
model = SSMRegressor()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

for step in range(1, STEPS + 1):
    xb, yb = make_batch(BATCH, rng)
    loss = F.mse_loss(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    gnorm = math.sqrt(sum(p.grad.pow(2).sum().item() for p in model.parameters()))
    opt.step()
    if step % 40 == 0 or step == 1:
        with torch.no_grad():
            val = F.mse_loss(model(X_val), Y_val).item()
        print(f"step {step:4d}  loss {loss.item():.4g}  grad norm {gnorm:.3g}  val mse {val:.4g}")

with torch.no_grad():
    val = F.mse_loss(model(X_val), Y_val).item()
print(f"final val mse {val:.4f}  (target variance {Y_val.var().item():.4f})")

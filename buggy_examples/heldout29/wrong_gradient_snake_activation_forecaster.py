"""MLP forecaster with Snake activations (x + sin^2(a x)/a, a periodic activation proposed for
time series) on a synthetic trend + two-seasonality series: 48-step window plus a time feature
-> 64 -> 64 -> 6-step horizon, manual shuffled batches of 64, Adam lr 1e-3, 4 epochs (200 steps).
Snake is written as a fused torch.autograd.Function to save memory.

Seeded bug: the hand-written backward returns grad_out * sin(2ax), which is the derivative of the
sin^2(ax)/a term only - the derivative of the identity term x (the "+ 1") was dropped. The true
derivative 1 + sin(2ax) is always >= 0; the returned one has the wrong magnitude everywhere and
the wrong sign for half of the inputs, so gradients disagree with finite differences and the
optimizer follows a distorted direction.

Measured (plain python, 1 thread): final train MSE 0.0168 / val MSE 0.0373 buggy vs train 0.0135
/ val 0.0143 with a fixed copy (backward returns grad_out * (1 + sin(2ax))); the buggy run is
also far slower early (epoch-1 val 0.210 vs 0.032).
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

LOOKBACK, HORIZON = 48, 6


class SnakeFn(torch.autograd.Function):
    """snake_a(x) = x + sin^2(a x) / a  (Ziyin et al. 2020), fused to save the intermediate."""

    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x, a)
        return x + torch.sin(a * x) ** 2 / a

    @staticmethod
    def backward(ctx, grad_out):
        x, a = ctx.saved_tensors
        # d/dx [sin^2(ax)/a] = 2 sin(ax) cos(ax) = sin(2ax)
        return grad_out * torch.sin(2 * a * x), None


class Snake(nn.Module):
    def __init__(self, freq=1.0):
        super().__init__()
        self.register_buffer("a", torch.tensor(freq))

    def forward(self, x):
        return SnakeFn.apply(x, self.a)


class SnakeForecaster(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(LOOKBACK + 1, hidden), Snake(1.0),
            nn.Linear(hidden, hidden), Snake(1.0),
            nn.Linear(hidden, HORIZON),
        )

    def forward(self, window, t_frac):
        return self.net(torch.cat([window, t_frac], dim=1))


def make_data(n=4000):
    t = np.arange(n)
    y = 0.0004 * t + np.sin(2 * np.pi * t / 30) + 0.4 * np.sin(2 * np.pi * t / 7) + 0.1 * rng.standard_normal(n)
    return t, y.astype(np.float32)


def to_windows(t, y, lo, hi):
    X, T, Y = [], [], []
    for i in range(lo, hi - LOOKBACK - HORIZON):
        X.append(y[i:i + LOOKBACK])
        T.append([t[i + LOOKBACK] / len(t)])
        Y.append(y[i + LOOKBACK:i + LOOKBACK + HORIZON])
    f = lambda a: torch.tensor(np.asarray(a, dtype=np.float32))
    return f(X), f(T), f(Y)


t, y = make_data()
cut = 3200
X_tr, T_tr, Y_tr = to_windows(t, y, 0, cut)
X_va, T_va, Y_va = to_windows(t, y, cut - LOOKBACK, len(y))

model = SnakeForecaster()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
batch = 64

step = 0
for epoch in range(1, 5):
    perm = torch.randperm(len(X_tr))
    total = 0.0
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        loss = loss_fn(model(X_tr[idx], T_tr[idx]), Y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        step += 1
    with torch.no_grad():
        val = loss_fn(model(X_va, T_va), Y_va).item()
    print(f"epoch {epoch}  step {step}  train mse {total / len(perm):.4f}  val mse {val:.4f}")

print(f"final val mse: {val:.4f}")

"""N-BEATS forecaster whose stack re-uses one block's weights at every depth.

Data: one synthetic hourly load series (3000 hours) with daily and weekly seasonality,
a slow trend, a temperature-like AR(1) component and noise; standardised with training
statistics.  Windows: lookback 72 h -> horizon 24 h; chronological split (first 80 %
of the series for training windows, last 20 % for test windows).
Model: N-BEATS generic stack in which ONE block (3-layer ReLU MLP, width 128, plus
backcast / forecast heads) is applied 6 times to the running residual, as in the
"shared weights across blocks" variant of the N-BEATS paper; a learnable per-depth
scalar gain on the forecast output.  AdamW lr 1e-3 (weight decay 1e-4), manual
batching with torch.randperm (batch 128, ragged tail dropped), 14 epochs (252 steps),
MSE, dataclass config, seed 0.

Healthy control: the forecaster trains well and beats the seasonal-naive baseline.

Possible false alarm: the same weights sit 6 times in the computational graph, like an
unrolled RNN, so each step's gradient on them is the sum of six contributions and the
per-parameter gradient norm is several times that of a single block; a detector that
watches "depth through shared weights" could suspect exploding gradients, and the
per-depth gains start at 1/depth so early forecast contributions look tiny.  Both are by
design: the residual (backcast-subtracted) structure keeps the recursion stable and
the total gradient norm only drifts from 0.16 to ~0.7 (max 2.0) as the loss reaches its
noise floor (the AR "temperature" term is unpredictable 24 h ahead).

Measured (seed 0, CPU ~4 s): train MSE 1.02 at init -> 0.137, test MSE 0.152
(standardised units); seasonal-naive (same hour one day earlier) test MSE 0.254.
"""
# traindebug-expect: clean
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    lookback: int = 72
    horizon: int = 24
    hidden: int = 128
    depth: int = 6
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 128
    epochs: int = 14
    seed: int = 0


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
rng = np.random.default_rng(cfg.seed)

# ---- data -------------------------------------------------------------------------
T = 3000
t = np.arange(T)
temp = np.zeros(T)
for i in range(1, T):
    temp[i] = 0.98 * temp[i - 1] + rng.normal(0, 0.3)
series = (100 + 0.01 * t
          + 12 * np.sin(2 * np.pi * t / 24) + 5 * np.sin(4 * np.pi * t / 24 + 1.0)
          + 8 * np.sin(2 * np.pi * t / 168)
          + 6 * temp + rng.normal(0, 1.5, T))
split = int(0.8 * T)
mu, sd = series[:split].mean(), series[:split].std()
z = (series - mu) / sd


def make_windows(arr, lo, hi):
    idx = np.arange(lo, hi - cfg.lookback - cfg.horizon + 1)
    x = np.stack([arr[i:i + cfg.lookback] for i in idx])
    y = np.stack([arr[i + cfg.lookback:i + cfg.lookback + cfg.horizon] for i in idx])
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


Xtr, Ytr = make_windows(z, 0, split)
Xte, Yte = make_windows(z, split - cfg.lookback, T)
print(f"train windows {len(Xtr)}  test windows {len(Xte)}")


# ---- model ------------------------------------------------------------------------
class SharedBlockNBeats(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.depth = c.depth
        self.fc1 = nn.Linear(c.lookback, c.hidden)
        self.fc2 = nn.Linear(c.hidden, c.hidden)
        self.fc3 = nn.Linear(c.hidden, c.hidden)
        self.back = nn.Linear(c.hidden, c.lookback)
        self.fore = nn.Linear(c.hidden, c.horizon)
        self.gain = nn.Parameter(torch.full((c.depth,), 1.0 / c.depth))

    def block(self, x):
        h = F.relu(self.fc1(x))
        h = F.relu(self.fc2(h))
        h = F.relu(self.fc3(h))
        return self.back(h), self.fore(h)

    def forward(self, x):
        residual, forecast = x, 0.0
        for d in range(self.depth):
            b, f = self.block(residual)
            residual = residual - b
            forecast = forecast + self.gain[d] * f
        return forecast


model = SharedBlockNBeats(cfg)
opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def mse(x, y):
    with torch.no_grad():
        return F.mse_loss(model(x), y).item()


naive = F.mse_loss(Xte[:, -24:], Yte).item()
print(f"init train MSE {mse(Xtr, Ytr):.4f}  seasonal-naive test MSE {naive:.4f}")

t0 = time.process_time()
step = 0
for epoch in range(cfg.epochs):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm) - cfg.batch_size + 1, cfg.batch_size):  # drop ragged tail
        idx = perm[i:i + cfg.batch_size]
        loss = F.mse_loss(model(Xtr[idx]), Ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch + 1:2d} step {step:3d} batch loss {loss.item():.4f} "
              f"train MSE {mse(Xtr, Ytr):.4f} test MSE {mse(Xte, Yte):.4f}")

print(f"final train MSE {mse(Xtr, Ytr):.4f}  test MSE {mse(Xte, Yte):.4f}  "
      f"(seasonal naive {naive:.4f})  gains {[round(g, 3) for g in model.gain.tolist()]}")
print(f"cpu time {time.process_time() - t0:.1f}s")

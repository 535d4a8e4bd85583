"""One-hour-ahead forecaster for a small PV plant: GELU MLP on the last 24 hourly outputs
(normalised by plant capacity) plus hour-of-day sin/cos, Adam lr 2e-3, DataLoader batches of 128,
14 epochs (~250 steps). Data: simulated clear-sky bell curve times an AR(1) cloud factor.

Seeded bug: the training loss is MAPE, mean(|pred - y| / |y|), the usual forecasting metric that
the author reused as the objective. PV output is exactly zero at night, so every batch contains
targets with |y| = 0: the loss is inf on the first step, the gradient is inf/NaN, and Adam writes
NaN into every weight. Realistic: MAPE is the KPI people report, and it "works" on load series
that never hit zero.

Measured: buggy run gives train loss nan from the first epoch and final test MAE nan. Fixed copy
(WAPE objective sum|e| / sum|y|, same everything else): final test MAE 6.79 kW (train WAPE 0.11,
mean output 55.6 kW).
"""
# traindebug-expect: non_finite
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CAPACITY_KW = 250.0
LAGS = 24
HORIZON = 1


def simulate_pv(n_days=120, rng=np.random.default_rng(0)):
    """Hourly output of a small PV plant: clear-sky bell curve times a cloud factor."""
    hours = np.arange(n_days * 24)
    hod = hours % 24
    doy = hours // 24
    daylen = 12.0 + 2.5 * np.sin(2 * np.pi * (doy - 80) / 365.0)
    sunrise = 12.0 - daylen / 2
    frac = (hod - sunrise) / daylen
    clear = np.where((frac > 0) & (frac < 1), np.sin(np.pi * np.clip(frac, 0, 1)) ** 1.5, 0.0)
    cloud = np.zeros(len(hours))
    for t in range(1, len(hours)):
        cloud[t] = 0.97 * cloud[t - 1] + 0.12 * rng.standard_normal()
    cloud_factor = 1.0 / (1.0 + np.exp(-(1.5 + 2.0 * cloud)))
    power = CAPACITY_KW * clear * cloud_factor
    return power.astype(np.float32), hod


def make_windows(power, hod):
    X, y = [], []
    for t in range(LAGS, len(power) - HORIZON + 1):
        lags = power[t - LAGS:t] / CAPACITY_KW
        h = hod[t]
        cal = [math.sin(2 * math.pi * h / 24), math.cos(2 * math.pi * h / 24)]
        X.append(np.concatenate([lags, cal]))
        y.append(power[t + HORIZON - 1] / CAPACITY_KW)
    return np.array(X, dtype=np.float32), np.array(y, dtype=np.float32)


power, hod = simulate_pv()
X, y = make_windows(power, hod)
split = int(0.8 * len(X))
X_tr, y_tr = torch.from_numpy(X[:split]), torch.from_numpy(y[:split])
X_te, y_te = torch.from_numpy(X[split:]), torch.from_numpy(y[split:])

train_dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=128, shuffle=True)

model = nn.Sequential(
    nn.Linear(LAGS + 2, 64), nn.GELU(),
    nn.Linear(64, 64), nn.GELU(),
    nn.Linear(64, 1),
)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)


def mape(pred, target):
    return torch.mean(torch.abs(pred - target) / torch.abs(target))


EPOCHS = 14
for epoch in range(EPOCHS):
    model.train()
    total, n = 0.0, 0
    for xb, yb in train_dl:
        pred = model(xb).squeeze(-1)
        loss = mape(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
        n += len(xb)
    model.eval()
    with torch.no_grad():
        pred_te = model(X_te).squeeze(-1)
        mae_kw = (pred_te - y_te).abs().mean().item() * CAPACITY_KW
    if epoch % 2 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:2d}  train loss {total / n:.4f}  test MAE {mae_kw:.2f} kW")

print(f"final test MAE: {mae_kw:.2f} kW  (mean output {y_te.mean().item() * CAPACITY_KW:.1f} kW)")

"""Healthy control: rainfall-runoff forecaster. A GRU(32) reads 30 days of (log rain, log discharge)
from a synthetic two-reservoir catchment, its last state plus today's rain goes through a SiLU
head to predict today's (standardised log) discharge. Adam lr 3e-3, 16 short epochs of 15 random
minibatch steps (240 steps), ReduceLROnPlateau on validation MSE (factor 0.2, patience 1,
relative threshold 1e-2).

Possible false alarm: once the validation loss has converged (epoch 8) the plateau scheduler
keeps cutting the learning rate, 3e-3 -> 6e-4 -> 1.2e-4 -> 2.4e-5 -> 4.8e-6 -> 1e-6 (min_lr),
so the last ~100 updates are tiny and the (noisy, per-batch) train MSE looks stuck; a naive
detector could call this lr_too_low or a stalled run. The decay only starts after convergence
and costs nothing.

Measured: val MSE 0.068 at epoch 8, final val MSE 0.068 (persistence baseline 0.486, target
variance 0.785).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# --- synthetic daily rainfall -> river discharge (linear reservoir cascade) ---------------------
N_DAYS = 3000
rain = rng.gamma(0.35, 6.0, size=N_DAYS) * (rng.random(N_DAYS) < 0.4)
season = 1.0 + 0.6 * np.sin(2 * np.pi * np.arange(N_DAYS) / 365.0)
rain = rain * season
store_fast, store_slow, flow = 0.0, 0.0, np.zeros(N_DAYS)
for d in range(N_DAYS):
    store_fast = 0.6 * store_fast + 0.7 * rain[d]
    store_slow = 0.97 * store_slow + 0.3 * rain[d]
    flow[d] = 0.4 * store_fast + 0.03 * store_slow + 0.1 * rng.standard_normal() ** 2

LOOKBACK = 30
feat = np.stack([np.log1p(rain), np.log1p(flow)], axis=1).astype(np.float32)
target = np.log1p(flow).astype(np.float32)
split = int(0.75 * N_DAYS)
mu, sd = feat[:split].mean(0), feat[:split].std(0)
feat = (feat - mu) / sd
t_mu, t_sd = target[:split].mean(), target[:split].std()
target = (target - t_mu) / t_sd

idx = np.arange(LOOKBACK, N_DAYS)
X_all = torch.from_numpy(np.stack([feat[i - LOOKBACK:i] for i in idx]))
y_all = torch.from_numpy(target[idx])
# rainfall of the forecast day is known (observed gauge), discharge is not
rain_today = torch.from_numpy(feat[idx, 0:1])
tr = idx < split
X_tr, y_tr, r_tr = X_all[tr], y_all[tr], rain_today[tr]
X_va, y_va, r_va = X_all[~tr], y_all[~tr], rain_today[~tr]


class StreamflowGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + 1, 32), nn.SiLU(), nn.Linear(32, 1))

    def forward(self, seq, rain_now):
        _, h = self.gru(seq)
        return self.head(torch.cat([h[-1], rain_now], dim=1)).squeeze(-1)


model = StreamflowGRU()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.2, patience=1,
                                                     threshold=1e-2, min_lr=1e-6)

BATCH, STEPS_PER_EPOCH, EPOCHS = 64, 15, 16
for epoch in range(1, EPOCHS + 1):
    model.train()
    for _ in range(STEPS_PER_EPOCH):
        b = torch.randint(0, len(X_tr), (BATCH,))
        loss = F.mse_loss(model(X_tr[b], r_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val = F.mse_loss(model(X_va, r_va), y_va).item()
    plateau.step(val)
    print(f"epoch {epoch:2d}  train mse {loss.item():.4f}  val mse {val:.4f}  "
          f"lr {opt.param_groups[0]['lr']:.1e}")

with torch.no_grad():
    persistence = F.mse_loss(X_va[:, -1, 1], y_va).item()
print(f"final val mse {val:.4f}  (persistence baseline {persistence:.4f}, variance {y_va.var().item():.4f})")

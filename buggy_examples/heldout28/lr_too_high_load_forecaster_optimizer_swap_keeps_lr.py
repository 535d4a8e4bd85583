"""Dilated 1-D CNN day-ahead electricity-load forecaster (96 h context -> 24 h horizon, residual
conv blocks, avg-pool, linear head) on a synthetic load series with daily/weekly seasonality and
AR noise, z-scored. Dataclass config, optimizer chosen by name from a factory dict, 250 random
minibatch steps of 64 windows, MSE.

Seeded bug: the config says optimizer="rmsprop" but keeps lr=1.0, the value that was right for
the earlier Adadelta run (Adadelta's default and usual lr is 1.0). RMSprop with lr 1.0 takes
steps ~1000x too large: the first updates throw the weights to huge values, the loss jumps to
1e11-1e12 and never comes back within the budget. Realistic: switching the optimizer string in a
config and forgetting that the lr belongs to the old optimizer.

Measured: buggy final val MSE 2.2e11 (train MSE 5e10 at step 250); fixed copy (lr=1e-3):
final val MSE 0.129 (0.088-0.129 over the last 100 steps; seasonal-naive baseline 0.128).
"""
# traindebug-expect: lr_too_high
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class Config:
    context: int = 96          # 4 days of hourly history
    horizon: int = 24          # forecast the next day
    channels: int = 24
    batch_size: int = 64
    steps: int = 250
    optimizer: str = "rmsprop"
    lr: float = 1.0
    seed: int = 1


OPTIMIZERS = {
    "adadelta": lambda p, lr: torch.optim.Adadelta(p, lr=lr),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.99),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
}


def synth_load(n_hours, rng):
    t = np.arange(n_hours)
    daily = 0.6 * np.sin(2 * np.pi * t / 24 - 1.2) + 0.25 * np.sin(4 * np.pi * t / 24)
    weekly = 0.3 * (((t // 24) % 7) < 5)
    trend = 0.0004 * t
    noise = np.zeros(n_hours)
    for i in range(1, n_hours):
        noise[i] = 0.8 * noise[i - 1] + 0.08 * rng.standard_normal()
    return (3.0 + daily + weekly + trend + noise).astype(np.float32)


class ConvForecaster(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg.channels
        self.conv1 = nn.Conv1d(1, c, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(c, c, kernel_size=5, padding=4, dilation=2)
        self.conv3 = nn.Conv1d(c, c, kernel_size=5, padding=8, dilation=4)
        self.head = nn.Linear(c * cfg.context // 4, cfg.horizon)

    def forward(self, x):                       # x: (B, context)
        h = x.unsqueeze(1)
        h = F.relu(self.conv1(h))
        h = F.relu(self.conv2(h)) + h
        h = F.relu(self.conv3(h)) + h
        h = F.avg_pool1d(h, 4)
        return self.head(h.flatten(1))


def windows(series, cfg):
    n = len(series) - cfg.context - cfg.horizon + 1
    idx = np.arange(n)[:, None]
    X = series[idx + np.arange(cfg.context)]
    Y = series[idx + cfg.context + np.arange(cfg.horizon)]
    return torch.from_numpy(X), torch.from_numpy(Y)


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    series = synth_load(24 * 200, rng)
    split = int(0.8 * len(series))
    mu, sd = series[:split].mean(), series[:split].std()
    z = (series - mu) / sd
    X_tr, Y_tr = windows(z[:split], cfg)
    X_va, Y_va = windows(z[split - cfg.context:], cfg)

    model = ConvForecaster(cfg)
    opt = OPTIMIZERS[cfg.optimizer](model.parameters(), cfg.lr)
    print(f"{cfg.optimizer} lr={cfg.lr}  train windows={len(X_tr)}  val windows={len(X_va)}")

    for step in range(1, cfg.steps + 1):
        idx = torch.randint(0, len(X_tr), (cfg.batch_size,))
        loss = F.mse_loss(model(X_tr[idx]), Y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                val = F.mse_loss(model(X_va), Y_va).item()
            print(f"step {step:4d}  train mse {loss.item():.4f}  val mse {val:.4f}")

    with torch.no_grad():
        val = F.mse_loss(model(X_va), Y_va).item()
        naive = F.mse_loss(X_va[:, -cfg.horizon:], Y_va).item()
    print(f"final val mse {val:.4f}  (seasonal-naive baseline {naive:.4f})")


if __name__ == "__main__":
    main()

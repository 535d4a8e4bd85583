"""
Multi-series forecasting with reversible instance normalisation (RevIN): 64 synthetic sensor
series with very different levels (800-5000 units) and amplitudes (20-400), daily
seasonality, random-walk drift and noise. A 1-D conv encoder (3 Conv1d + GELU, 16 channels) over a 72-step
lookback window feeds a linear head that predicts the next 12 steps. Raw values go straight
into the model: RevIN subtracts each window's mean and divides by its std (with learnable
affine weight/bias), the network works in that normalised space, and the forecast is mapped
back to raw units. Loss = MSE between the normalised forecast and the target normalised with
the same window statistics. AdamW lr 2e-3, weight decay 1e-4, batch 64, 240 steps, cosine
schedule.

Healthy control: the per-window normalisation is the standard RevIN recipe for series with
heterogeneous scales; each window is normalised only with its own statistics (no leakage
across samples), and the model trains smoothly to well below the naive baseline.

Possible false alarm: input_scale - the tensors fed to the model (and the raw-unit forecasts)
have magnitudes in the thousands with per-series offsets, which a detector looking at raw
input/target statistics could flag as unnormalised inputs, although normalisation happens
inside the model's first operation.

Measured (seed 0, 1 thread): final train loss (normalised MSE) 0.041; test MAE 30.8 raw
units vs 231.7 for the last-value naive forecast (ratio 0.133).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_SERIES, T_TOTAL, LOOKBACK, HORIZON = 64, 600, 72, 12

rng = np.random.default_rng(0)
t = np.arange(T_TOTAL)
level = rng.uniform(800, 5000, size=(N_SERIES, 1))
amp = rng.uniform(20, 400, size=(N_SERIES, 1))
phase = rng.uniform(0, 2 * np.pi, size=(N_SERIES, 1))
drift = np.cumsum(rng.normal(0, 0.03, size=(N_SERIES, T_TOTAL)), axis=1) * amp
data = level + amp * np.sin(2 * np.pi * t / 24 + phase) + 0.5 * amp * np.sin(2 * np.pi * t / 12 + 2 * phase) \
    + drift + rng.normal(0, 0.1, size=(N_SERIES, T_TOTAL)) * amp
data = torch.tensor(data, dtype=torch.float32)
split = 480


def windows(lo, hi):
    xs, ys = [], []
    for s in range(lo + LOOKBACK, hi - HORIZON + 1, 3):
        xs.append(data[:, s - LOOKBACK:s])
        ys.append(data[:, s:s + HORIZON])
    return torch.cat(xs), torch.cat(ys)


x_train, y_train = windows(0, split)
x_test, y_test = windows(split - LOOKBACK, T_TOTAL)


class RevIN(nn.Module):
    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(1))
        self.bias = nn.Parameter(torch.zeros(1))

    def stats(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        std = torch.sqrt(x.var(dim=-1, keepdim=True, unbiased=False) + self.eps)
        return mean, std

    def normalize(self, x, mean, std):
        return (x - mean) / std * self.weight + self.bias

    def denormalize(self, z, mean, std):
        return (z - self.bias) / (self.weight + self.eps) * std + mean


class ConvForecaster(nn.Module):
    def __init__(self, channels=16):
        super().__init__()
        self.revin = RevIN()
        self.encoder = nn.Sequential(
            nn.Conv1d(1, channels, 5, padding=2), nn.GELU(),
            nn.Conv1d(channels, channels, 5, padding=4, dilation=2), nn.GELU(),
            nn.Conv1d(channels, 8, 1), nn.GELU(),
        )
        self.head = nn.Linear(8 * LOOKBACK, HORIZON)

    def forward_normalized(self, z):
        return self.head(self.encoder(z.unsqueeze(1)).flatten(1))

    def forward(self, x):
        mean, std = self.revin.stats(x)
        z = self.revin.normalize(x, mean, std)
        return self.revin.denormalize(self.forward_normalized(z), mean, std)


model = ConvForecaster()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
n_steps = 240
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / n_steps)))

naive_mae = (y_test - x_test[:, -1:]).abs().mean().item()
for step in range(1, n_steps + 1):
    idx = torch.randint(0, len(x_train), (64,))
    xb, yb = x_train[idx], y_train[idx]
    mean, std = model.revin.stats(xb)
    pred_z = model.forward_normalized(model.revin.normalize(xb, mean, std))
    target_z = model.revin.normalize(yb, mean, std)
    loss = F.mse_loss(pred_z, target_z)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if step % 50 == 0:
        with torch.no_grad():
            test_mae = (model(x_test) - y_test).abs().mean().item()
        print(f"step {step:3d}  train_loss {loss.item():.4f}  test_mae {test_mae:.1f}  "
              f"rel_to_naive {test_mae / naive_mae:.3f}")

print(f"final: train_loss {loss.item():.4f}  test_mae {test_mae:.1f}  naive_mae {naive_mae:.1f}  "
      f"rel_to_naive {test_mae / naive_mae:.3f}")

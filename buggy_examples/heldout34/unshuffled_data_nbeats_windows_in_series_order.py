"""N-BEATS-style residual forecaster on a small panel of synthetic demand series.

Data: 6 synthetic series (different level, trend, seasonal period 7/12/24 and noise),
globally standardised, cut into sliding windows (lookback 48 -> horizon 12).  The first
80 % of every series is used for training windows, the rest for test windows.
Model: generic N-BEATS (custom nn.Module): 4 doubly-residual blocks, each a 4-layer
ReLU MLP (width 128) producing a backcast that is subtracted from the input and a
forecast that is summed.  Adam lr 2e-3, batch 64, MSE, 10 epochs (260 steps), seed 0.

Seeded bug: the training windows are generated series by series (a loop over the panel
with a sliding window inside) and handed to `DataLoader(..., shuffle=False)` "to keep the
temporal order" - a common misconception for forecasting: the order inside each window
is what matters, the windows themselves are exchangeable.  Every batch therefore comes
from one series (one level / trend / period) and the model sees the series in long
blocks, chasing the current one and forgetting the earlier ones; at the end of training
it is fitted to the last series of the panel.  Correct: shuffle=True.

Measured (seed 0, CPU): buggy final train MSE 0.102, test MSE 0.155 (standardised units);
fixed copy (shuffle=True): train MSE 0.012, test MSE 0.016 (~4 s CPU each).
"""
# traindebug-expect: unshuffled_data
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

LOOKBACK, HORIZON = 48, 12
SERIES_LEN = 420


def make_panel(n_series=6, length=SERIES_LEN, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    periods = [7, 12, 24, 7, 12, 24]
    panel = []
    for i in range(n_series):
        level = rng.uniform(-30, 60)
        slope = rng.uniform(-0.15, 0.15)
        amp = rng.uniform(5, 20)
        season = amp * np.sin(2 * np.pi * t / periods[i] + rng.uniform(0, 2 * np.pi))
        season += 0.4 * amp * np.sin(4 * np.pi * t / periods[i])
        noise = rng.normal(0, 2.0, size=length)
        panel.append(level + slope * t + season + noise)
    return np.stack(panel)


def windows(series, start, stop):
    xs, ys = [], []
    for s in range(start, stop - LOOKBACK - HORIZON + 1):
        xs.append(series[s:s + LOOKBACK])
        ys.append(series[s + LOOKBACK:s + LOOKBACK + HORIZON])
    return xs, ys


panel = make_panel()
split = int(0.8 * SERIES_LEN)
mu, sd = panel[:, :split].mean(), panel[:, :split].std()
panel = (panel - mu) / sd

train_x, train_y, test_x, test_y = [], [], [], []
for series in panel:
    xs, ys = windows(series, 0, split)
    train_x += xs
    train_y += ys
    xs, ys = windows(series, split - LOOKBACK, SERIES_LEN)
    test_x += xs
    test_y += ys

to_t = lambda a: torch.tensor(np.array(a), dtype=torch.float32)
train_ds = TensorDataset(to_t(train_x), to_t(train_y))
Xte, Yte = to_t(test_x), to_t(test_y)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=False)
print(f"train windows {len(train_ds)}  test windows {len(Xte)}")


class Block(nn.Module):
    def __init__(self, width=128, n_layers=4):
        super().__init__()
        layers, d = [], LOOKBACK
        for _ in range(n_layers):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.fc = nn.Sequential(*layers)
        self.backcast = nn.Linear(width, LOOKBACK)
        self.forecast = nn.Linear(width, HORIZON)

    def forward(self, x):
        h = self.fc(x)
        return self.backcast(h), self.forecast(h)


class NBeats(nn.Module):
    def __init__(self, n_blocks=4):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(n_blocks))

    def forward(self, x):
        residual = x
        forecast = 0.0
        for block in self.blocks:
            b, f = block(residual)
            residual = residual - b
            forecast = forecast + f
        return forecast


model = NBeats()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.MSELoss()


def evaluate(x, y):
    model.eval()
    with torch.no_grad():
        out = loss_fn(model(x), y).item()
    model.train()
    return out


t0 = time.process_time()
step = 0
for epoch in range(10):
    running, n = 0.0, 0
    for xb, yb in train_loader:
        pred = model(xb)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(xb)
        n += len(xb)
        step += 1
    print(f"epoch {epoch + 1}  step {step:3d}  train(run) {running / n:.4f}  test {evaluate(Xte, Yte):.4f}")

Xtr, Ytr = train_ds.tensors
print(f"final train MSE {evaluate(Xtr, Ytr):.4f}  test MSE {evaluate(Xte, Yte):.4f}")
print(f"cpu time {time.process_time() - t0:.1f}s")

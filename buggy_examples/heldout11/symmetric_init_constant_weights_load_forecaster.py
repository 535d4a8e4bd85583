"""Multi-step (6 h ahead) load forecasting from 48 h lag windows with an MLP
built in a loop over nn.ModuleList.

Seeded bug: every Linear layer is initialised with nn.init.constant_(w, 0.01)
("small deterministic init").  All hidden units in a layer compute the same
function and receive the same gradient, so the width-64 layers behave like a
single unit and never separate.

Measured: test MSE 0.203 after 300 Adam steps (train loss plateaus ~0.17)
vs 0.057 with default (random) init; persistence baseline 0.724.
"""
# traindebug-expect: symmetric_init

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

# Hourly load-like signal: daily + weekly cycle, trend, noise
T = 24 * 7 * 14
h = np.arange(T)
load = (1.0 + 0.5 * np.sin(2 * np.pi * h / 24) + 0.25 * np.sin(4 * np.pi * h / 24 + 0.7)
        + 0.3 * np.sin(2 * np.pi * h / (24 * 7)) + 0.0005 * h
        + 0.08 * np.random.randn(T))
split = int(0.8 * T)
mu, sd = load[:split].mean(), load[:split].std()
z = (load - mu) / sd

lag, ahead = 48, 6
def windows(s):
    n = len(s) - lag - ahead + 1
    Xw = np.lib.stride_tricks.sliding_window_view(s, lag + ahead)[:n]
    return Xw[:, :lag].astype(np.float32), Xw[:, lag:].astype(np.float32)

Xtr, Ytr = map(torch.from_numpy, windows(z[:split]))
Xte, Yte = map(torch.from_numpy, windows(z[split:]))


class MLPForecaster(nn.Module):
    def __init__(self, sizes=(lag, 64, 64, ahead)):
        super().__init__()
        self.layers = nn.ModuleList()
        for a, b in zip(sizes[:-1], sizes[1:]):
            layer = nn.Linear(a, b)
            # small deterministic init so repeated runs are comparable
            nn.init.constant_(layer.weight, 0.01)
            nn.init.zeros_(layer.bias)
            self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.tanh(layer(x))
        return self.layers[-1](x)


model = MLPForecaster()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
mse = nn.MSELoss()

steps, bs = 300, 64
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    loss = mse(model(Xtr[bi]), Ytr[bi])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == steps - 1:
        with torch.no_grad():
            te = mse(model(Xte), Yte).item()
        print(f"step {step:4d}  train {loss.item():.4f}  test {te:.4f}")

with torch.no_grad():
    te = mse(model(Xte), Yte).item()
    naive = mse(Xte[:, -1:].expand_as(Yte), Yte).item()
print(f"final test MSE {te:.4f}   persistence baseline {naive:.4f}")

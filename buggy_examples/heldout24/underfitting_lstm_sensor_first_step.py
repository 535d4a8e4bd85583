"""Sequence-to-one LSTM regressor predicting a remaining-useful-life score from generated
multichannel sensor windows (vibration, temperature drift, current spike near the end),
custom Dataset, RMSprop, gradient clipping at 5.

Seeded bug: the window summary is taken as out[:, 0] (the LSTM output after the first
time step) instead of out[:, -1]. With batch_first=True that output has seen only one
reading, so the network cannot represent the target however long it trains; gradients
and updates are healthy, the loss simply plateaus.

Measured over 250 steps (this script vs. a copy using out[:, -1]): train MSE plateaus at
~0.061 (predict-the-mean baseline 0.083) vs 0.0033; final val MSE 0.056 vs 0.0029.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)

WINDOW, N_CH = 40, 3


def sensor_windows(n):
    """Vibration/temperature/current windows; target = remaining-useful-life score in [0, 1]."""
    t = np.arange(WINDOW)
    wear = rng.uniform(0, 1, n)
    freq = 0.15 + 0.25 * wear
    phase = rng.uniform(0, 2 * np.pi, n)
    vib = (0.5 + wear)[:, None] * np.sin(freq[:, None] * t + phase[:, None])
    temp = 0.2 * rng.normal(size=(n, 1)) + np.cumsum(0.02 * wear[:, None] + 0.05 * rng.normal(size=(n, WINDOW)), 1)
    current = 0.3 * rng.normal(size=(n, WINDOW)) + (t > WINDOW - 12) * (2.0 * wear[:, None])
    x = np.stack([vib, temp, current], -1) + 0.1 * rng.normal(size=(n, WINDOW, N_CH))
    return x.astype(np.float32), (1.0 - wear).astype(np.float32)


class Windows(Dataset):
    def __init__(self, x, y):
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class RULRegressor(nn.Module):
    def __init__(self, n_ch, hidden=32, layers=1):
        super().__init__()
        self.lstm = nn.LSTM(n_ch, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 16), nn.Tanh(), nn.Linear(16, 1))

    def forward(self, x):
        out, _ = self.lstm(x)          # (B, T, H)
        summary = out[:, 0]
        return self.head(summary).squeeze(-1)


x_tr, y_tr = sensor_windows(1600)
x_va, y_va = sensor_windows(400)
mu, sd = x_tr.reshape(-1, N_CH).mean(0), x_tr.reshape(-1, N_CH).std(0)
train_dl = DataLoader(Windows((x_tr - mu) / sd, y_tr), batch_size=64, shuffle=True)
val_x, val_y = torch.from_numpy((x_va - mu) / sd), torch.from_numpy(y_va)

model = RULRegressor(N_CH)
opt = torch.optim.RMSprop(model.parameters(), lr=2e-3)
loss_fn = nn.MSELoss()
print(f"predict-the-mean MSE: {np.var(y_va):.4f}")
for epoch in range(10):
    model.train()
    tot = 0.0
    for xb, yb in train_dl:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        tot += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        va = loss_fn(model(val_x), val_y).item()
    print(f"epoch {epoch} train_mse {tot / len(train_dl.dataset):.4f} val_mse {va:.4f}")

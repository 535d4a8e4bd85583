"""LSTM forecaster for the next-hour temperature change from a 24 h window of
simulated weather-station readings (argparse config, Dataset of sliding
windows, Adam, grad clipping).

Seeded bug: the regression target is standardised but the input features are
fed in raw physical units: pressure in Pa (~101325, std ~hundreds),
temperature in K (~288), humidity in % (~60).  The LSTM gates saturate
immediately, so the model cannot use the inputs.

Measured (6 epochs, 282 steps): buggy val MSE 0.935 -> 0.931 (1.0 = predicting
the mean), train MSE ~1.0 throughout; with the features standardised with the
training mean/std: val MSE 0.117, train MSE 0.140.
"""
# traindebug-expect: input_scale
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


def simulate_station(n_hours, seed):
    """hourly pressure [Pa], temperature [K] and relative humidity [%] from a toy weather model"""
    rng = np.random.default_rng(seed)
    p = np.empty(n_hours); T = np.empty(n_hours); h = np.empty(n_hours)
    p[0], T[0], h[0] = 101325.0, 288.0, 60.0
    for t in range(1, n_hours):
        p[t] = p[t - 1] + 0.95 * (p[t - 1] - p[t - 2] if t > 1 else 0) * 0.6 + rng.normal(0, 40) - 0.01 * (p[t - 1] - 101325)
        h[t] = np.clip(h[t - 1] + rng.normal(0, 2.0) - 0.02 * (p[t] - p[t - 1]), 5, 100)
        daily = 4.0 * np.sin(2 * np.pi * t / 24)
        T[t] = T[t - 1] + 0.01 * (p[t - 1] - p[max(t - 4, 0)]) - 0.03 * (h[t - 1] - 60) + 0.1 * (288 + daily - T[t - 1]) + rng.normal(0, 0.2)
    return np.stack([p, T, h], axis=1).astype(np.float32)


class WindowDataset(Dataset):
    def __init__(self, series, window, y_mean=None, y_std=None):
        self.x = torch.tensor(series)
        dT = series[1:, 1] - series[:-1, 1]
        self.y_mean = dT.mean() if y_mean is None else y_mean
        self.y_std = dT.std() if y_std is None else y_std
        self.dT = torch.tensor((dT - self.y_mean) / self.y_std)
        self.window = window

    def __len__(self):
        return len(self.x) - self.window - 1

    def __getitem__(self, i):
        # predict next hour's temperature change from the previous `window` hours
        return self.x[i:i + self.window], self.dT[i + self.window - 1]


class Forecaster(nn.Module):
    def __init__(self, n_features, hidden):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, batch_first=True)
        self.out = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1]).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=1500)
    ap.add_argument("--window", type=int, default=24)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)

    train_series = simulate_station(args.hours, seed=0)
    val_series = simulate_station(500, seed=1)
    train_ds = WindowDataset(train_series, args.window)
    val_ds = WindowDataset(val_series, args.window, train_ds.y_mean, train_ds.y_std)
    train_dl = DataLoader(train_ds, batch_size=args.bs, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = Forecaster(train_series.shape[1], args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    crit = nn.MSELoss()
    for epoch in range(args.epochs):
        model.train()
        tl = []
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            tl.append(loss.item())
        model.eval()
        with torch.no_grad():
            vl = np.mean([crit(model(xb), yb).item() for xb, yb in val_dl])
        print(f"epoch {epoch}  train mse {np.mean(tl):.4f}  val mse {vl:.4f}  (1.0 = predicting the mean)")


if __name__ == "__main__":
    main()

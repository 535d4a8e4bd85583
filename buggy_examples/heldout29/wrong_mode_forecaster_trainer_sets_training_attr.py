"""Dilated 1-D CNN (TCN-style) forecaster with BatchNorm1d, GELU and dropout 0.3 on a synthetic
sensor series (daily + weekly cycles + AR(1) noise, standardised), 64-step lookback -> 8-step
horizon; small Trainer class with train_epoch/evaluate/fit, dataclass config, Adam lr 2e-3,
DataLoader batches of 32, 5 epochs (~195 steps), chronological validation windows.

Seeded bug: Trainer._set_mode() switches phases with `self.model.training = train` instead of
`self.model.train(train)`. Assigning the attribute only flips the flag on the top-level module;
the BatchNorm and Dropout children keep training=True, so validation runs in train mode: dropout
stays active and BatchNorm normalises each validation batch with its own statistics (batches of
consecutive, highly correlated windows) and keeps updating the running stats with validation
data.

Measured (plain python, 1 thread): final val MSE 0.159 buggy vs 0.044 for the fixed copy
(self.model.train(train)); final train MSE is essentially the same (0.0632 vs 0.0625), since
only evaluation is affected.
"""
# traindebug-expect: wrong_mode
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class TrainConfig:
    lookback: int = 64
    horizon: int = 8
    batch_size: int = 32
    epochs: int = 5
    lr: float = 2e-3
    dropout: float = 0.3


def load_sensor_series(n=5000, seed=0):
    r = np.random.default_rng(seed)
    t = np.arange(n)
    daily = np.sin(2 * np.pi * t / 48)
    weekly = 0.6 * np.sin(2 * np.pi * t / (48 * 7))
    ar = np.zeros(n)
    for i in range(1, n):
        ar[i] = 0.8 * ar[i - 1] + 0.2 * r.standard_normal()
    return (20.0 + 3.0 * daily + 2.0 * weekly + ar).astype(np.float32)


def make_windows(x, lookback, horizon):
    idx = np.arange(len(x) - lookback - horizon + 1)
    X = np.stack([x[i:i + lookback] for i in idx])
    Y = np.stack([x[i + lookback:i + lookback + horizon] for i in idx])
    return torch.from_numpy(X).unsqueeze(1), torch.from_numpy(Y)


class TCNForecaster(nn.Module):
    def __init__(self, cfg: TrainConfig, ch=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(1, ch, 5, padding=2), nn.BatchNorm1d(ch), nn.GELU(),
            nn.Conv1d(ch, ch, 5, padding=4, dilation=2), nn.BatchNorm1d(ch), nn.GELU(),
            nn.Conv1d(ch, ch, 5, padding=8, dilation=4), nn.BatchNorm1d(ch), nn.GELU(),
            nn.AdaptiveAvgPool1d(8),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(cfg.dropout), nn.Linear(ch * 8, 128),
                                  nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(128, cfg.horizon))

    def forward(self, x):
        return self.head(self.body(x))


class Trainer:
    def __init__(self, model, cfg: TrainConfig):
        self.model, self.cfg = model, cfg
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        self.loss_fn = nn.MSELoss()
        self.history = []

    def _set_mode(self, train: bool):
        self.model.training = train
        torch.set_grad_enabled(train)

    def train_epoch(self, loader):
        self._set_mode(True)
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = self.loss_fn(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(xb)
            n += len(xb)
        return total / n

    def evaluate(self, loader):
        self._set_mode(False)
        total, n = 0.0, 0
        for xb, yb in loader:
            total += self.loss_fn(self.model(xb), yb).item() * len(xb)
            n += len(xb)
        self._set_mode(True)
        return total / n

    def fit(self, train_dl, val_dl):
        for epoch in range(1, self.cfg.epochs + 1):
            tr = self.train_epoch(train_dl)
            va = self.evaluate(val_dl)
            self.history.append((tr, va))
            print(f"epoch {epoch}  train mse {tr:.4f}  val mse {va:.4f}")
        return self.history


def main():
    cfg = TrainConfig()
    series = load_sensor_series()
    cut = int(0.75 * len(series))
    mean, std = series[:cut].mean(), series[:cut].std()
    series = (series - mean) / std
    X_tr, Y_tr = make_windows(series[:cut], cfg.lookback, cfg.horizon)
    X_va, Y_va = make_windows(series[cut - cfg.lookback:], cfg.lookback, cfg.horizon)
    # training windows overlap heavily; use every third one
    X_tr, Y_tr = X_tr[::3], Y_tr[::3]
    train_dl = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=cfg.batch_size, shuffle=True)
    val_dl = DataLoader(TensorDataset(X_va, Y_va), batch_size=cfg.batch_size)

    trainer = Trainer(TCNForecaster(cfg), cfg)
    history = trainer.fit(train_dl, val_dl)
    print(f"final val mse: {history[-1][1]:.4f} (standardised units)")


if __name__ == "__main__":
    main()

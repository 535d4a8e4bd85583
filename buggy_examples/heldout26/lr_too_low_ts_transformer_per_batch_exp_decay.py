"""Transformer encoder (sinusoidal positional encodings) forecasting the next 4
values of a synthetic multi-seasonal time series from a 32-step context window.

Seeded bug (lr_too_low): ExponentialLR(gamma=0.9) is meant as a per-epoch decay
but `sched.step()` is called inside the batch loop, so the learning rate is
multiplied by 0.9 on every optimizer step (~18 steps per epoch): 2e-3 -> 2e-4
after the first epoch, ~3e-6 after three epochs and ~1e-12 at the end. Training
freezes after roughly 40 steps.

Measured (10 epochs, ~180 steps): buggy train_mse stalls at 0.170 from epoch 3
on, val_mse 0.269 for the last 6 epochs (unchanged to 4 decimals). Stepping the
scheduler once per epoch instead: train_mse 0.038, val_mse 0.058.
"""
# traindebug-expect: lr_too_low
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


def synth_series(n, rng):
    t = np.arange(n, dtype=np.float64)
    s = (np.sin(2 * np.pi * t / 24.0) + 0.5 * np.sin(2 * np.pi * t / 7.0 + 1.0)
         + 0.3 * np.sin(2 * np.pi * t / 55.0) + 0.002 * t)
    return (s + 0.1 * rng.standard_normal(n)).astype(np.float32)


class WindowDataset(Dataset):
    def __init__(self, series, context, horizon):
        self.x = torch.from_numpy(series)
        self.context, self.horizon = context, horizon

    def __len__(self):
        return len(self.x) - self.context - self.horizon + 1

    def __getitem__(self, i):
        c = self.x[i:i + self.context]
        f = self.x[i + self.context:i + self.context + self.horizon]
        return c.unsqueeze(-1), f


class SinusoidalPE(nn.Module):
    def __init__(self, d_model, max_len=512):
        super().__init__()
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class Forecaster(nn.Module):
    def __init__(self, d_model, nhead, layers, context, horizon):
        super().__init__()
        self.inp = nn.Linear(1, d_model)
        self.pe = SinusoidalPE(d_model)
        enc = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2 * d_model,
                                         dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(enc, layers, enable_nested_tensor=False)
        self.out = nn.Linear(d_model * context, horizon)

    def forward(self, x):
        h = self.encoder(self.pe(self.inp(x)))
        return self.out(h.flatten(1))


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--context", type=int, default=32)
    p.add_argument("--horizon", type=int, default=4)
    p.add_argument("--d-model", type=int, default=16)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--gamma", type=float, default=0.9, help="lr decay factor")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def main():
    args = parse()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    series = synth_series(1500, rng)
    split = 1200
    mu, sd = series[:split].mean(), series[:split].std()
    series = (series - mu) / sd
    train_ds = WindowDataset(series[:split], args.context, args.horizon)
    val_ds = WindowDataset(series[split - args.context:], args.context, args.horizon)
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True, drop_last=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = Forecaster(args.d_model, 4, args.layers, args.context, args.horizon)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=args.gamma)
    loss_fn = nn.MSELoss()

    for epoch in range(args.epochs):
        model.train()
        tot, cnt = 0.0, 0
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_fn(pred, yb)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            tot += loss.item() * len(xb)
            cnt += len(xb)
        model.eval()
        with torch.no_grad():
            vl = sum(loss_fn(model(xb), yb).item() * len(xb) for xb, yb in val_dl) / len(val_ds)
        print(f"epoch {epoch:2d} train_mse {tot / cnt:.4f} val_mse {vl:.4f}")


if __name__ == "__main__":
    main()

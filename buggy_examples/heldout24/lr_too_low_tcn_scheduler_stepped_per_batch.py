"""Temporal convolutional network (dilated causal convs) forecasting an 8-step horizon of a
generated multi-periodic series, argparse config, Dataset/DataLoader windows.

Seeded bug (lr_too_low): --lr-decay is a per-epoch multiplicative decay (0.8), but
sched.step() of the ExponentialLR is called inside the batch loop. With 37 batches per
epoch the rate is 3e-3 * 0.8**37 = 7.8e-7 after the first epoch and ~1e-24 by the end,
so training effectively stops after a few dozen steps.

Measured (222 Adam steps): buggy: val MSE 0.83 -> 0.412 after epoch 0 and frozen at
0.4124 for all remaining epochs (train MSE stuck at ~0.406). Fixed copy (sched.step()
once per epoch): val MSE 0.039 after epoch 0, 0.023 at the end.
"""
# traindebug-expect: lr_too_low
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


def make_series(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float32)
    x = (np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 13)
         + 0.3 * np.sin(2 * np.pi * t / 97) * np.cos(2 * np.pi * t / 211))
    x += 0.1 * rng.standard_normal(n)
    return x.astype(np.float32)


class WindowDataset(Dataset):
    def __init__(self, series, window, horizon):
        self.series = torch.from_numpy(series)
        self.window, self.horizon = window, horizon

    def __len__(self):
        return len(self.series) - self.window - self.horizon

    def __getitem__(self, i):
        x = self.series[i:i + self.window]
        y = self.series[i + self.window:i + self.window + self.horizon]
        return x.unsqueeze(0), y


class CausalConv(nn.Conv1d):
    def __init__(self, cin, cout, k, dilation):
        super().__init__(cin, cout, k, dilation=dilation)
        self.left = (k - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self.left, 0)))


class TemporalBlock(nn.Module):
    def __init__(self, cin, cout, k, dilation):
        super().__init__()
        self.conv1 = CausalConv(cin, cout, k, dilation)
        self.conv2 = CausalConv(cout, cout, k, dilation)
        self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = F.relu(self.conv1(x))
        h = self.conv2(h)
        return F.relu(h + self.skip(x))


class TCN(nn.Module):
    def __init__(self, channels, k, horizon):
        super().__init__()
        blocks, cin = [], 1
        for i, c in enumerate(channels):
            blocks.append(TemporalBlock(cin, c, k, 2 ** i))
            cin = c
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, horizon)

    def forward(self, x):
        h = self.blocks(x)
        return self.head(h[:, :, -1])


def evaluate(model, loader):
    model.eval()
    tot, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            tot += F.mse_loss(model(xb), yb, reduction="sum").item()
            n += yb.numel()
    model.train()
    return tot / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--horizon", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--lr-decay", type=float, default=0.8, help="multiplicative decay per epoch")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    series = make_series(seed=args.seed)
    split = 2400
    train_ds = WindowDataset(series[:split], args.window, args.horizon)
    val_ds = WindowDataset(series[split - args.window:], args.window, args.horizon)
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = TCN([16, 16, 16, 16], k=3, horizon=args.horizon)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=args.lr_decay)

    print(f"initial val mse {evaluate(model, val_dl):.4f}")
    for epoch in range(args.epochs):
        losses = []
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        print(f"epoch {epoch} train mse {np.mean(losses):.4f} val mse {evaluate(model, val_dl):.4f}")


if __name__ == "__main__":
    main()

"""Temporal convolutional network (dilated causal Conv1d) for one-step-ahead forecasting.

Seeded bug: the learning rate goes through a "linear scaling rule" helper,
scaled_lr(args.lr, batch_size), whose reference batch defaults to 1. args.lr
(2.5e-3) is already the rate meant for batch size 64, so Adam runs at 0.16
(64x too large): the first epoch blows up (batch MSE up to ~1.4e5) and the
model never settles.
Measured (8 epochs, 192 steps): buggy final train MSE 0.137, val MSE 0.100;
fixed (base_batch=64, lr=2.5e-3) train MSE 0.030, val MSE 0.034.
"""
# traindebug-expect: lr_too_high
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="TCN forecaster")
    p.add_argument("--window", type=int, default=32)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--levels", type=int, default=4)
    p.add_argument("--kernel", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2.5e-3, help="base Adam lr")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def make_series(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    s = (np.sin(2 * np.pi * t / 24.0)
         + 0.5 * np.sin(2 * np.pi * t / 168.0 + 0.3)
         + 0.002 * t
         + 0.15 * rng.standard_normal(n))
    return s.astype(np.float32)


def windows(series, w):
    xs = np.lib.stride_tricks.sliding_window_view(series[:-1], w)
    ys = series[w:]
    return xs.copy(), ys.copy()


class CausalConv1d(nn.Conv1d):
    def __init__(self, cin, cout, k, dilation):
        super().__init__(cin, cout, k, dilation=dilation)
        self._left = (k - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self._left, 0)))


class TemporalBlock(nn.Module):
    def __init__(self, cin, cout, k, dilation, dropout=0.05):
        super().__init__()
        self.c1 = CausalConv1d(cin, cout, k, dilation)
        self.c2 = CausalConv1d(cout, cout, k, dilation)
        self.drop = nn.Dropout(dropout)
        self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.drop(F.relu(self.c1(x)))
        h = self.drop(F.relu(self.c2(h)))
        return F.relu(h + self.skip(x))


class TCN(nn.Module):
    def __init__(self, channels, levels, k):
        super().__init__()
        blocks, cin = [], 1
        for i in range(levels):
            blocks.append(TemporalBlock(cin, channels, k, dilation=2 ** i))
            cin = channels
        self.net = nn.Sequential(*blocks)
        self.head = nn.Linear(channels, 1)

    def forward(self, x):               # x: (B, T)
        h = self.net(x.unsqueeze(1))    # (B, C, T)
        return self.head(h[:, :, -1]).squeeze(-1)


def scaled_lr(base_lr, batch_size, base_batch=1):
    """Linear scaling rule: lr grows proportionally with the batch size."""
    return base_lr * batch_size / base_batch


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    series = make_series()
    split = int(0.8 * len(series))
    mu, sd = series[:split].mean(), series[:split].std()
    z = (series - mu) / sd
    xtr, ytr = windows(z[:split], args.window)
    xva, yva = windows(z[split - args.window:], args.window)
    xtr, ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)
    xva, yva = torch.from_numpy(xva), torch.from_numpy(yva)

    model = TCN(args.channels, args.levels, args.kernel)
    lr = scaled_lr(args.lr, args.batch_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    print(f"train windows={len(xtr)}  val windows={len(xva)}  lr={lr:.4g}")

    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        running = []
        for i in range(0, len(xtr) - args.batch_size + 1, args.batch_size):
            idx = perm[i:i + args.batch_size]
            pred = model(xtr[idx])
            loss = F.mse_loss(pred, ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            val = F.mse_loss(model(xva), yva).item()
        print(f"epoch {epoch + 1}  steps={step}  train_mse={np.mean(running):.4f}  "
              f"max_batch={np.max(running):.3f}  val_mse={val:.4f}")
    print(f"final val_mse={val:.4f}")


if __name__ == "__main__":
    main()

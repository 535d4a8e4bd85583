"""Sliding-window forecaster (vanilla tanh RNN) on a synthetic hourly series.

Seeded bug: reset_parameters() reuses the tanh *gain* (5/3, meant for
feed-forward layers) for the orthogonal init of the recurrent matrix
weight_hh.  An orthogonal W_hh scaled by 5/3 puts the RNN in the chaotic
regime, so back-propagation through the 96-step window multiplies the
gradient by ~5/3 per step wherever tanh is unsaturated.  Gradients blow up
through time and keep spiking during training (no clipping).

Measured (6 epochs, 162 Adam steps, CPU):
  buggy : total grad norm 7.7e2 at step 1, 5e1..4e2 throughout training;
          final train MSE 0.266, val MSE 0.46 (swings 0.54 -> 0.86 -> 0.46)
  fixed (orthogonal_ with gain 1): grad norm 2.0 at step 1, 0.13..1.0 after;
          final train MSE 0.047, val MSE 0.12..0.16
"""
# traindebug-expect: exploding_gradients
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader


def make_series(n_steps, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps, dtype=np.float64)
    daily = np.sin(2 * np.pi * t / 24.0)
    weekly = 0.5 * np.sin(2 * np.pi * t / 168.0 + 0.3)
    trend = 0.002 * t
    ar = np.zeros(n_steps)
    for i in range(1, n_steps):
        ar[i] = 0.8 * ar[i - 1] + rng.normal(scale=0.15)
    return (daily + weekly + trend + ar).astype(np.float32)


class WindowDataset(Dataset):
    def __init__(self, series, window, horizon):
        self.series = torch.from_numpy(series)
        self.window = window
        self.horizon = horizon

    def __len__(self):
        return len(self.series) - self.window - self.horizon + 1

    def __getitem__(self, idx):
        x = self.series[idx: idx + self.window].unsqueeze(-1)
        y = self.series[idx + self.window: idx + self.window + self.horizon]
        return x, y


class RNNForecaster(nn.Module):
    def __init__(self, hidden, horizon):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True, nonlinearity="tanh")
        self.head = nn.Linear(hidden, horizon)
        self.reset_parameters()

    def reset_parameters(self):
        gain = nn.init.calculate_gain("tanh")
        for name, p in self.rnn.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(p, gain=gain)
            elif "weight_hh" in name:
                nn.init.orthogonal_(p, gain=gain)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def evaluate(model, loader, loss_fn):
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            total += loss_fn(model(x), y).item() * len(x)
            n += len(x)
    model.train()
    return total / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--window", type=int, default=96)
    p.add_argument("--horizon", type=int, default=6)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=96)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    series = make_series(3200, args.seed)
    split = 2600
    mu, sd = series[:split].mean(), series[:split].std()
    series = (series - mu) / sd

    train_ds = WindowDataset(series[:split], args.window, args.horizon)
    val_ds = WindowDataset(series[split - args.window:], args.window, args.horizon)
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = RNNForecaster(args.hidden, args.horizon)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    t0 = time.time()
    step = 0
    for epoch in range(args.epochs):
        running = 0.0
        for x, y in train_dl:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            gnorm = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.parameters()))
            opt.step()
            running += loss.item()
            step += 1
            if step % 20 == 0 or step == 1:
                print(f"step {step:4d}  loss {loss.item():.4f}  grad_norm {gnorm:.2e}")
        val = evaluate(model, val_dl, loss_fn)
        print(f"epoch {epoch + 1}: train {running / len(train_dl):.4f}  val {val:.4f}")
    print(f"done in {time.time() - t0:.1f}s, steps={step}")


if __name__ == "__main__":
    main()

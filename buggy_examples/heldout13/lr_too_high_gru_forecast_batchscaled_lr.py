"""GRU sliding-window forecaster for a synthetic seasonal series (argparse config, Trainer class).

Seeded bug: the 'linear scaling rule' for the learning rate leaves out the division by the
reference batch size (32): lr = base_lr * batch_size = 0.32 instead of 0.01 for Adam on a GRU.
Measured (12 epochs, plain python): buggy train MSE 0.40, test MSE 0.90 (worse than the
last-value baseline 0.27); fixed (/ 32) train MSE 0.039, test MSE 0.067.
"""
# traindebug-expect: lr_too_high
import argparse, math
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


def make_series(n=1600, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    y = (np.sin(2 * math.pi * t / 50) + 0.5 * np.sin(2 * math.pi * t / 13 + 1.0)
         + 0.002 * t + 0.1 * rng.standard_normal(n))
    return y.astype(np.float32)


def sliding_windows(series, window, horizon):
    xs, ys = [], []
    for i in range(len(series) - window - horizon + 1):
        xs.append(series[i:i + window])
        ys.append(series[i + window:i + window + horizon])
    return np.stack(xs)[..., None], np.stack(ys)


class Forecaster(nn.Module):
    def __init__(self, hidden, horizon):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Trainer:
    def __init__(self, model, opt, loss_fn):
        self.model, self.opt, self.loss_fn = model, opt, loss_fn
        self.history = []

    def fit_epoch(self, loader):
        self.model.train()
        tot, n = 0.0, 0
        for xb, yb in loader:
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            tot += loss.item() * len(xb); n += len(xb)
        self.history.append(tot / n)
        return tot / n

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        return self.loss_fn(self.model(x), y).item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--window", type=int, default=24)
    p.add_argument("--horizon", type=int, default=5)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--base-lr", type=float, default=5e-3, help="lr at reference batch 32")
    p.add_argument("--epochs", type=int, default=12)
    args = p.parse_args()

    torch.manual_seed(0)
    series = make_series()
    split = int(0.8 * len(series))
    mu, sd = series[:split].mean(), series[:split].std()
    series = (series - mu) / sd
    x_tr, y_tr = sliding_windows(series[:split], args.window, args.horizon)
    x_te, y_te = sliding_windows(series[split - args.window:], args.window, args.horizon)
    x_tr, y_tr, x_te, y_te = map(torch.from_numpy, (x_tr, y_tr, x_te, y_te))

    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=args.batch_size, shuffle=True)
    model = Forecaster(args.hidden, args.horizon)
    # linear scaling rule for the batch size
    lr = args.base_lr * args.batch_size
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    trainer = Trainer(model, opt, nn.MSELoss())

    for ep in range(args.epochs):
        tr = trainer.fit_epoch(loader)
        te = trainer.evaluate(x_te, y_te)
        print(f"epoch {ep+1:2d}  train_mse {tr:.4f}  test_mse {te:.4f}")
    naive = torch.mean((x_te[:, -1:, 0] - y_te) ** 2).item()
    print(f"last-value baseline mse {naive:.4f}")


if __name__ == "__main__":
    main()

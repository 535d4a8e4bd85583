"""
GRU encoder-decoder (seq2seq) forecaster for a synthetic hourly electricity-load series
(daily + weekly seasonality, smooth weather drift, noise): 36 h of context -> 12 h ahead,
teacher forcing during training, free-running decoding for validation. argparse config,
batch 16, 8 epochs (184 optimizer steps), MSE on the standardised series.

Seeded bug: the script supports `--optimizer sgd|adam` with a single `--lr` flag whose default
(1e-3) was tuned for Adam, but the optimizer default is "sgd" (plain SGD, no momentum). For SGD
on a GRU with MSE gradients of order 0.1-1, lr 1e-3 gives tiny updates: the loss barely moves
from its starting level in the whole budget.

Measured (seed 0, 1 thread): buggy (SGD lr 1e-3): final train MSE 0.745, free-running val MSE
0.958 (last-value baseline 1.844). Fixed copy (`--optimizer adam`, same lr): train MSE 0.061,
val MSE 0.176.
"""
# traindebug-expect: lr_too_low
import argparse

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="GRU encoder-decoder load forecaster")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--momentum", type=float, default=0.0)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--context", type=int, default=36)
    p.add_argument("--horizon", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def synthetic_load(n_days, rng):
    hours = np.arange(n_days * 24)
    daily = np.sin(2 * np.pi * hours / 24 - 1.2) + 0.4 * np.sin(4 * np.pi * hours / 24)
    weekly = 0.3 * (((hours // 24) % 7) >= 5)
    weather = np.convolve(rng.normal(0, 0.25, len(hours) + 47), np.ones(48) / 48 * 6, "valid")
    return (daily - weekly + weather + rng.normal(0, 0.1, len(hours))).astype(np.float32)


class Seq2Seq(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.encoder = nn.GRU(1, hidden, batch_first=True)
        self.decoder = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, src, horizon, tgt=None):
        _, h = self.encoder(src.unsqueeze(-1))
        if tgt is not None:
            dec_in = torch.cat([src[:, -1:], tgt[:, :-1]], dim=1).unsqueeze(-1)
            out, _ = self.decoder(dec_in, h)
            return self.out(out).squeeze(-1)
        step_in = src[:, -1:].unsqueeze(-1)
        preds = []
        for _ in range(horizon):
            out, h = self.decoder(step_in, h)
            step_in = self.out(out)
            preds.append(step_in)
        return torch.cat(preds, dim=1).squeeze(-1)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    series = synthetic_load(120, rng)
    series = (series - series[:24 * 90].mean()) / series[:24 * 90].std()
    starts = np.arange(0, len(series) - args.context - args.horizon, 6)
    X = np.stack([series[s:s + args.context] for s in starts])
    Y = np.stack([series[s + args.context:s + args.context + args.horizon] for s in starts])
    split = int(0.75 * len(X))
    x_tr, y_tr = torch.tensor(X[:split]), torch.tensor(Y[:split])
    x_va, y_va = torch.tensor(X[split:]), torch.tensor(Y[split:])
    print(f"train windows {len(x_tr)}, val windows {len(x_va)}")

    model = Seq2Seq(args.hidden)
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_tr))
        total = 0.0
        for i in range(0, len(x_tr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            pred = model(x_tr[idx], args.horizon, tgt=y_tr[idx])
            loss = loss_fn(pred, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            step += 1
        model.eval()
        with torch.no_grad():
            val = loss_fn(model(x_va, args.horizon), y_va).item()
        print(f"epoch {epoch + 1}/{args.epochs} step {step} train mse {total / len(x_tr):.4f} "
              f"val mse (free-running) {val:.4f}")
    naive = loss_fn(x_va[:, -1:].expand_as(y_va), y_va).item()
    print(f"final val mse {val:.4f} (last-value baseline {naive:.4f})")


if __name__ == "__main__":
    main()

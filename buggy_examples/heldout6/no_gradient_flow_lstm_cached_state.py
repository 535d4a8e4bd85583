"""Sequence classification (which channel fires first) with an LSTM + MLP head, argparse config.

Seeded bug (no_gradient_flow): SeqClassifier.forward caches the final recurrent state as
`(h.detach(), c.detach())` and then feeds the cached, detached `self._state[0][-1]` into
the head. The LSTM weights are trainable and handed to Adam, but no gradient ever reaches
them (.grad stays None); only the head learns, on top of random recurrent features.

Measured (8 epochs, 256 steps): final val_loss 0.594, val_acc 0.657 (train acc ~0.66).
Fixed copy (head fed with h[-1]): val_loss 0.079, val_acc 0.978.
"""
# traindebug-expect: no_gradient_flow
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_sequences(n, seq_len, n_feat, rng):
    """Label = whether the 'event' channel fires before the 'response' channel."""
    x = rng.normal(0, 0.3, size=(n, seq_len, n_feat)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        a, b = sorted(rng.choice(seq_len, size=2, replace=False))
        first, second = (0, 1) if y[i] == 1 else (1, 0)
        x[i, a, first] += 2.0
        x[i, b, second] += 2.0
    return x, y.astype(np.int64)


class SeqClassifier(nn.Module):
    def __init__(self, n_feat, hidden, n_layers, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(n_feat, hidden, num_layers=n_layers, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))
        self._state = None

    def forward(self, x):
        _, (h, c) = self.lstm(x)
        # keep the final recurrent state around (used by the streaming demo / inspection)
        self._state = (h.detach(), c.detach())
        return self.head(self._state[0][-1])


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    crit = nn.CrossEntropyLoss()
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = crit(logits, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
            tot += loss.item() * len(yb)
            correct += (logits.argmax(-1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n-train", type=int, default=1600)
    p.add_argument("--n-val", type=int, default=400)
    p.add_argument("--seq-len", type=int, default=20)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--bs", type=int, default=50)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    xtr, ytr = make_sequences(args.n_train, args.seq_len, 4, rng)
    xva, yva = make_sequences(args.n_val, args.seq_len, 4, rng)
    tr = DataLoader(TensorDataset(torch.from_numpy(xtr), torch.from_numpy(ytr)), batch_size=args.bs, shuffle=True)
    va = DataLoader(TensorDataset(torch.from_numpy(xva), torch.from_numpy(yva)), batch_size=200)

    model = SeqClassifier(4, args.hidden, args.layers, 2)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    for ep in range(1, args.epochs + 1):
        tl, ta = run_epoch(model, tr, opt)
        vl, vacc = run_epoch(model, va)
        print(f"[{ep}/{args.epochs}] train {tl:.4f}/{ta:.3f}  val {vl:.4f}/{vacc:.3f}")


if __name__ == "__main__":
    main()

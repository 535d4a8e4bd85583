"""
Digits classifier trained through a small Trainer class (train_epoch / validate,
metrics kept in dataclasses).

Seeded bug (label_problem): make_splits() shuffles the samples with a random
permutation and indexes the features with train_idx / val_idx, but the labels are
sliced in the ORIGINAL order (y[n_val:], y[:n_val]).  Every image is paired with the
label of an unrelated sample, so labels carry no information about the inputs.

Measured (12 epochs, ~270 Adam steps):
  buggy : train loss 2.31 -> 2.06 (slow memorisation only), val loss rises 2.31 -> 2.51,
          val acc 0.10-0.12 (chance)
  fixed (y[train_idx], y[val_idx]): train loss 2.09 -> 0.043, val acc 0.972
"""
# traindebug-expect: label_problem
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)


@dataclass
class EpochMetrics:
    epoch: int
    train_loss: float
    val_loss: float
    val_acc: float
    seconds: float


@dataclass
class History:
    epochs: list = field(default_factory=list)

    def add(self, m: EpochMetrics):
        self.epochs.append(m)

    def best(self):
        return max(self.epochs, key=lambda m: m.val_acc)


def make_splits(val_frac=0.2, seed=0):
    digits = load_digits()
    X = digits.data.astype(np.float32)
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(X))
    n_val = int(len(X) * val_frac)
    val_idx, train_idx = idx[:n_val], idx[n_val:]
    X_train, y_train = X[train_idx], y[n_val:]
    X_val, y_val = X[val_idx], y[:n_val]
    scaler = StandardScaler().fit(X_train)
    X_train = scaler.transform(X_train).astype(np.float32)
    X_val = scaler.transform(X_val).astype(np.float32)
    return (torch.from_numpy(X_train), torch.from_numpy(y_train),
            torch.from_numpy(X_val), torch.from_numpy(y_val))


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=64):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.loss_fn = nn.CrossEntropyLoss()
        self.batch_size = batch_size
        self.history = History()

    def train_epoch(self, X, y):
        self.model.train()
        perm = torch.randperm(len(X))
        total, n = 0.0, 0
        for i in range(0, len(X), self.batch_size):
            b = perm[i:i + self.batch_size]
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(X[b]), y[b])
            loss.backward()
            self.opt.step()
            total += loss.item() * len(b)
            n += len(b)
        return total / n

    @torch.no_grad()
    def validate(self, X, y):
        self.model.eval()
        logits = self.model(X)
        loss = self.loss_fn(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
        return loss, acc

    def fit(self, train, val, epochs):
        for ep in range(epochs):
            t0 = time.time()
            tr_loss = self.train_epoch(*train)
            va_loss, va_acc = self.validate(*val)
            m = EpochMetrics(ep, tr_loss, va_loss, va_acc, time.time() - t0)
            self.history.add(m)
            if ep % 3 == 0 or ep == epochs - 1:
                print(f"epoch {ep:2d} train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.3f}")
        return self.history


if __name__ == "__main__":
    X_tr, y_tr, X_va, y_va = make_splits()
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )
    trainer = Trainer(model, lr=1e-3, batch_size=64)
    hist = trainer.fit((X_tr, y_tr), (X_va, y_va), epochs=12)
    best = hist.best()
    print(f"best epoch {best.epoch} val_acc {best.val_acc:.3f}")

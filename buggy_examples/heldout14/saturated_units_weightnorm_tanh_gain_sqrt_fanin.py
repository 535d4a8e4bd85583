"""Digits classifier with two weight-normalised tanh layers
(torch.nn.utils.parametrizations.weight_norm), class-based Trainer, RMSprop.

Seeded bug (saturated_units): reset_gains() sets the weight-norm magnitude g of
every row to sqrt(fan_in), reasoning "that is the norm of a unit-variance
Gaussian row".  But the direction v/||v|| is already unit-norm and the inputs
are standardised, so pre-activations get std ~ sqrt(fan_in) (8 for layer 1,
~5.7 for layer 2) instead of ~1: at init 68% of layer-1 and 58% of layer-2
pre-activations have |z| > 3 (fixed g=1: 0.6% and 0%), i.e. the tanh units sit
on their flat tails and act as frozen sign features.
Measured (16 epochs, 320 steps): buggy val acc 0.928 (train loss 0.073);
fixed (g = 1) val acc 0.969 (train loss 0.056); the buggy run is also much
slower early on.
"""
# traindebug-expect: saturated_units
import math

import torch
import torch.nn as nn
from torch.nn.utils.parametrizations import weight_norm
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class WNTanhNet(nn.Module):
    def __init__(self, d_in, hidden, n_out):
        super().__init__()
        self.l1 = weight_norm(nn.Linear(d_in, hidden))
        self.l2 = weight_norm(nn.Linear(hidden, hidden))
        self.out = nn.Linear(hidden, n_out)
        self.reset_gains()

    @torch.no_grad()
    def reset_gains(self):
        # weight-norm: w = g * v / ||v||.  Start every row with the norm a
        # unit-variance Gaussian row would have, sqrt(fan_in).
        for lin in (self.l1, self.l2):
            fan_in = lin.parametrizations.weight.original1.shape[1]
            lin.parametrizations.weight.original0.fill_(math.sqrt(fan_in))

    def forward(self, x):
        h = torch.tanh(self.l1(x))
        h = torch.tanh(self.l2(h))
        return self.out(h)


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=64, epochs=16, seed=0):
        self.model, self.bs, self.epochs = model, batch_size, epochs
        self.opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.9)
        self.crit = nn.CrossEntropyLoss()
        self.gen = torch.Generator().manual_seed(seed)
        self.history = []

    def fit(self, X, y, Xv, yv):
        for ep in range(self.epochs):
            perm = torch.randperm(len(X), generator=self.gen)
            tot = 0.0
            for i in range(0, len(X), self.bs):
                idx = perm[i:i + self.bs]
                loss = self.crit(self.model(X[idx]), y[idx])
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                tot += loss.item() * len(idx)
            self.history.append(tot / len(X))
            if ep % 4 == 0 or ep == self.epochs - 1:
                print(f"epoch {ep:2d} loss {self.history[-1]:.4f} val_acc {self.accuracy(Xv, yv):.3f}")

    @torch.no_grad()
    def accuracy(self, X, y):
        return (self.model(X).argmax(1) == y).float().mean().item()


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X = (X - X.mean(0)) / (X.std(0) + 1e-8)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0)
    Xtr, Xva = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
    ytr, yva = torch.tensor(ytr), torch.tensor(yva)
    net = WNTanhNet(64, 32, 10)
    tr = Trainer(net)
    tr.fit(Xtr, ytr, Xva, yva)
    print(f"final train_acc {tr.accuracy(Xtr, ytr):.3f} val_acc {tr.accuracy(Xva, yva):.3f}")

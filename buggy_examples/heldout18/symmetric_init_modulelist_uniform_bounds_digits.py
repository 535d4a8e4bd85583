"""Digits classifier: plain MLP stack built from an nn.ModuleList with an
explicit forward loop and a hand-written "LeCun uniform" initialiser.

Seeded bug (symmetric_init): reset_parameters() calls
nn.init.uniform_(layer.weight, bound, bound) instead of (-bound, bound).
The interval is degenerate, so every weight matrix is a constant; all hidden
units of a layer compute the same value and receive the same gradient, so the
hidden layers behave like width-1 layers for the whole run (only the head's
rows differ, through their class-specific gradients).
Measured (seed 0, 264 steps): buggy  final train loss 1.835, test acc 0.222;
                              fixed  final train loss 0.013, test acc 0.973.
"""
# traindebug-expect: symmetric_init
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

HIDDEN = [128, 96, 64]
EPOCHS = 12
BATCH = 64
LR = 3e-3


class StackedMLP(nn.Module):
    def __init__(self, d_in, widths, n_out):
        super().__init__()
        dims = [d_in] + list(widths)
        self.layers = nn.ModuleList()
        for a, b in zip(dims[:-1], dims[1:]):
            self.layers.append(nn.Linear(a, b))
        self.head = nn.Linear(dims[-1], n_out)
        self.reset_parameters()

    def reset_parameters(self):
        for layer in list(self.layers) + [self.head]:
            bound = math.sqrt(3.0 / layer.in_features)
            nn.init.uniform_(layer.weight, bound, bound)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.layers:
            x = F.gelu(layer(x))
        return self.head(x)


def batches(x, y, bs, shuffle=True):
    idx = torch.randperm(len(x)) if shuffle else torch.arange(len(x))
    for i in range(0, len(x), bs):
        j = idx[i:i + bs]
        yield x[j], y[j]


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.5).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr).long(), torch.from_numpy(yte).long()

    model = StackedMLP(64, HIDDEN, 10)
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    t0 = time.time()
    step = 0
    for epoch in range(EPOCHS):
        model.train()
        run, n = 0.0, 0
        for xb, yb in batches(Xtr, ytr, BATCH):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            run += loss.item() * len(xb)
            n += len(xb)
        if epoch % 3 == 2 or epoch == EPOCHS - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {epoch + 1:2d} step {step:4d} train_loss {run / n:.4f} test_acc {acc:.3f}")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()

"""
Self-normalising network (Klambauer et al. 2017) on the 8x8 digits (sklearn load_digits,
standardised per pixel): 64 -> 256 -> 256 -> 128 -> 10 with SELU activations, LeCun-normal
initialisation written by hand, zero biases. SGD with Nesterov momentum 0.9, lr 0.02,
batch 64, 10 epochs (~220 steps), cross-entropy, a StepLR halving the rate after 6 epochs.

Seeded bug: the hand-written LeCun-normal initialiser builds the new weights with
`torch.zeros_like(w) * std` instead of `torch.randn_like(w) * std` (autocomplete picks the
neighbouring *_like function). With the (standard) zero biases every layer is initialised to
exactly zero: all hidden units of a layer compute the same function (SELU(0) = 0), receive
identical (here zero) gradients and stay identical forever; only the output bias moves, so the
network never gets past predicting the class prior.

Measured (seed 0, 1 thread): buggy final train loss 2.3025, test accuracy 0.100 (spread
between hidden-unit weight rows 0.0 after training). Fixed copy (randn_like): final train loss
0.0058, test accuracy 0.967. Runtime ~7 s.
"""
# traindebug-expect: symmetric_init
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def lecun_normal_(weight):
    fan_in = weight.shape[1]
    std = 1.0 / math.sqrt(fan_in)
    with torch.no_grad():
        weight.copy_(torch.zeros_like(weight) * std)
    return weight


class SNN(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        for layer in self.layers:
            lecun_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.selu(layer(x))
        return self.layers[-1](x)


def batches(X, y, batch_size, gen):
    perm = torch.randperm(len(X), generator=gen)
    for i in range(0, len(X), batch_size):
        idx = perm[i:i + batch_size]
        yield X[idx], y[idx]


def main():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=1, stratify=y)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = SNN([64, 256, 256, 128, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
    gen = torch.Generator().manual_seed(0)

    step = 0
    for epoch in range(10):
        model.train()
        tot, cnt = 0.0, 0
        for xb, yb in batches(X_tr, y_tr, 64, gen):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(xb)
            cnt += len(xb)
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch} step {step} train_loss {tot / cnt:.4f} test_acc {acc:.3f}")

    with torch.no_grad():
        train_loss = F.cross_entropy(model(X_tr), y_tr).item()
        test_acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        spread = max((l.weight - l.weight[:1]).abs().max().item() for l in model.layers[:-1])
    print(f"final train_loss {train_loss:.4f} test_acc {test_acc:.3f} hidden_row_spread {spread:.2e}")


if __name__ == "__main__":
    main()

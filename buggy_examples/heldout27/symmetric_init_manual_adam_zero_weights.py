"""Three-layer ReLU MLP on sklearn digits written functionally (parameters in a plain list)
and trained with a hand-written Adam update (no torch.optim).

Seeded bug: the layer() helper creates every weight matrix with torch.zeros and every bias
with the same constant 0.1 ("slightly positive so the ReLUs are active"). All hidden units
of a layer compute the same value and receive the same gradient (and the same Adam update),
so the symmetry is never broken: the net behaves like a 1-unit-wide network.

Measured (240 steps): loss 2.28 -> 1.87, final test accuracy 0.215. With He-normal weight
init (fixed copy) loss 1.75 -> 0.033 and test accuracy 0.978.
"""
# traindebug-expect: symmetric_init
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(7)

LR, BETAS, EPS = 3e-3, (0.9, 0.999), 1e-8
HIDDEN, EPOCHS, BATCH = 64, 12, 64


def layer(fan_in, fan_out):
    # weights start at zero, biases slightly positive so the ReLUs are active
    w = torch.zeros(fan_in, fan_out, requires_grad=True)
    b = torch.full((fan_out,), 0.1, requires_grad=True)
    return [w, b]


def forward(params, x):
    w1, b1, w2, b2, w3, b3 = params
    h = F.relu(x @ w1 + b1)
    h = F.relu(h @ w2 + b2)
    return h @ w3 + b3


class AdamState:
    def __init__(self, params):
        self.t = 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self, params):
        self.t += 1
        b1, b2 = BETAS
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, m, v in zip(params, self.m, self.v):
            g = p.grad
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            p.sub_(LR * (m / c1) / ((v / c2).sqrt() + EPS))
            p.grad = None


def accuracy(params, X, y):
    with torch.no_grad():
        return (forward(params, X).argmax(1) == y).float().mean().item()


X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.5).astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

params = layer(64, HIDDEN) + layer(HIDDEN, HIDDEN) + layer(HIDDEN, 10)
opt = AdamState(params)
n_batches = math.ceil(len(Xtr) / BATCH)

for epoch in range(EPOCHS):
    perm = torch.randperm(len(Xtr))
    total = 0.0
    for i in range(n_batches):
        idx = perm[i * BATCH:(i + 1) * BATCH]
        loss = F.cross_entropy(forward(params, Xtr[idx]), ytr[idx])
        loss.backward()
        opt.step(params)
        total += loss.item()
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch + 1:2d} step {opt.t:4d} loss {total / n_batches:.4f} "
              f"train_acc {accuracy(params, Xtr, ytr):.3f} test_acc {accuracy(params, Xte, yte):.3f}")

print(f"final test_acc {accuracy(params, Xte, yte):.3f}")

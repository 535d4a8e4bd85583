"""Two-layer sigmoid MLP on sklearn digits written functionally (explicit
parameter tensors, hand-rolled SGD with momentum and cosine LR).

Seeded bug (symmetric_init): the parameter construction was copied from a
softmax-regression notebook, where zero weights are fine, so W1 and W2 are
both created with torch.zeros. Every hidden unit computes sigmoid(0 + b) = 0.5
and receives the identical gradient, so the 48 hidden units stay copies of one
another for the whole run (after training, max |W1[:, j] - W1[:, 0]| = 1e-4
while W1 std = 0.061): the net behaves like a 1-unit bottleneck.

Measured (264 steps): train loss 2.34 -> 1.94 (ln 10 = 2.30), test acc 0.231.
Fixed copy (W1, W2 ~ N(0, 1/fan_in)): train loss 1.82 -> 0.12, test acc 0.962.
"""
# traindebug-expect: symmetric_init
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(7)
np.random.seed(7)

# ---------------------------------------------------------------- data
X, y = load_digits(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=7, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.long)
y_te = torch.tensor(y_te, dtype=torch.long)

n_in, n_hidden, n_out = X_tr.shape[1], 48, 10

# ------------------------------------------------- parameters (no nn.Module)
# Started life as a from-scratch softmax-regression notebook; a hidden layer
# was added afterwards using the same parameter construction.
params = {
    "W1": torch.zeros(n_in, n_hidden, requires_grad=True),
    "b1": torch.zeros(n_hidden, requires_grad=True),
    "W2": torch.zeros(n_hidden, n_out, requires_grad=True),
    "b2": torch.zeros(n_out, requires_grad=True),
}


def forward(x, p):
    h = torch.sigmoid(x @ p["W1"] + p["b1"])
    return h @ p["W2"] + p["b2"]


def sgd_momentum_step(p, bufs, lr, mu=0.9, wd=1e-4):
    with torch.no_grad():
        for k, t in p.items():
            g = t.grad
            if k.startswith("W"):
                g = g + wd * t
            bufs[k].mul_(mu).add_(g)
            t.sub_(lr * bufs[k])
            t.grad = None


bufs = {k: torch.zeros_like(v) for k, v in params.items()}
batch_size = 64
epochs = 12
base_lr = 0.1
n = X_tr.shape[0]
steps_per_epoch = math.ceil(n / batch_size)
total_steps = epochs * steps_per_epoch
step = 0

for epoch in range(epochs):
    perm = torch.randperm(n)
    running, seen = 0.0, 0
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = X_tr[idx], y_tr[idx]
        lr = 0.5 * base_lr * (1 + math.cos(math.pi * step / total_steps))
        logits = forward(xb, params)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        sgd_momentum_step(params, bufs, lr)
        running += loss.item() * len(idx)
        seen += len(idx)
        step += 1
    with torch.no_grad():
        acc = (forward(X_te, params).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch + 1:2d}  lr {lr:.4f}  train_loss {running / seen:.4f}  test_acc {acc:.3f}")

print(f"optimizer steps: {step}")

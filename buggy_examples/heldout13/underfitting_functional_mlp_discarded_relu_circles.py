"""Functional-style MLP (explicit weight tensors, Adagrad) on concentric circles.

Seeded bug (underfitting): in forward() the hidden activation is written as
`h.relu()` -- the out-of-place method -- and its result is discarded, so every
hidden layer is purely affine and the whole network collapses to a linear
classifier that cannot separate concentric circles, although gradients and
updates are perfectly healthy.
Measured (300 steps): buggy train loss stays at 0.693 (ln 2), train acc 0.446,
val acc 0.41; fixed (`h = h.relu()`): train loss 0.0015, train/val acc 1.000.
"""
# traindebug-expect: underfitting
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_circles
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)
np.random.seed(3)

X, y = make_circles(n_samples=1200, noise=0.08, factor=0.45, random_state=3)
X = StandardScaler().fit_transform(X).astype(np.float32)
Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
n_tr = 960
Xtr, ytr, Xva, yva = Xt[:n_tr], yt[:n_tr], Xt[n_tr:], yt[n_tr:]

HIDDEN = (64, 64)


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.empty(fan_in, fan_out)
        torch.nn.init.kaiming_uniform_(w.T, a=math.sqrt(5))
        b = torch.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        h = h @ w + b
        if i < n_layers - 1:
            h.relu()
    return h


params = init_params((2, *HIDDEN, 2))
opt = torch.optim.Adagrad(params, lr=0.05)

batch = 64
step = 0
for epoch in range(20):
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, batch):
        idx = perm[i:i + batch]
        logits = forward(params, Xtr[idx])
        loss = F.cross_entropy(logits, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 5 == 4 or epoch == 0:
        with torch.no_grad():
            tr_loss = F.cross_entropy(forward(params, Xtr), ytr).item()
            va_acc = (forward(params, Xva).argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch + 1:2d} step {step:3d} train_loss {tr_loss:.4f} val_acc {va_acc:.3f}")

with torch.no_grad():
    tr_acc = (forward(params, Xtr).argmax(1) == ytr).float().mean().item()
print(f"final train_acc {tr_acc:.3f}")

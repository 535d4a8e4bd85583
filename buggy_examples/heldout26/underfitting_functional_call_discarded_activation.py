"""3-arm spiral classification with a parameter dict driven through torch.func.functional_call.

Seeded bug (underfitting): in MLP.forward the hidden activation is called as a bare
statement, `F.gelu(x)`, and its result is thrown away, so the 2-64-64-3 "MLP" is a
composition of affine maps, i.e. a linear classifier, which cannot separate
interleaved spirals. Gradients and Adam updates are perfectly normal; the loss just
plateaus. Measured (300 steps): train loss 0.770 -> 0.768, train acc 0.53, val acc
0.48. Fixed copy (`x = F.gelu(x)`): train loss 0.005, val acc 1.00.
"""
# traindebug-expect: underfitting
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def spirals(n_per_class=500, n_classes=3, noise=0.2):
    xs, ys = [], []
    for c in range(n_classes):
        r = np.linspace(0.1, 1.0, n_per_class)
        t = np.linspace(c * 2 * math.pi / n_classes, c * 2 * math.pi / n_classes + 4.0, n_per_class)
        t = t + rng.normal(scale=noise, size=n_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], 1))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


X, y = spirals()
perm = rng.permutation(len(X))
X, y = torch.from_numpy(X[perm]), torch.from_numpy(y[perm])
Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                F.gelu(x)
        return x


net = MLP([2, 64, 64, 3])
# keep the weights outside the module: a flat dict of leaf tensors we own and update
params = {k: v.detach().clone().requires_grad_(True) for k, v in net.named_parameters()}
opt = torch.optim.Adam(params.values(), lr=5e-3)


def loss_fn(p, xb, yb):
    logits = functional_call(net, p, (xb,))
    return F.cross_entropy(logits, yb), logits


steps, bs = 300, 128
for step in range(1, steps + 1):
    idx = torch.randint(0, len(Xtr), (bs,))
    loss, _ = loss_fn(params, Xtr[idx], ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        with torch.no_grad():
            tr_loss, tr_logits = loss_fn(params, Xtr, ytr)
            va_loss, va_logits = loss_fn(params, Xva, yva)
        tr_acc = (tr_logits.argmax(1) == ytr).float().mean().item()
        va_acc = (va_logits.argmax(1) == yva).float().mean().item()
        print(f"step {step:3d}  train loss {tr_loss.item():.3f} acc {tr_acc:.3f}  val loss {va_loss.item():.3f} acc {va_acc:.3f}")

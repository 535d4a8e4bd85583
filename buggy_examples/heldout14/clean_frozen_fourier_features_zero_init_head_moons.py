"""Healthy control: make_moons classifier = fixed random Fourier features
(projection deliberately frozen with requires_grad_(False), as in Rahimi &
Recht) + residual MLP head whose last residual layer AND output layer are
zero-initialised; SGD (Nesterov) with linear warm-up and cosine decay.

Patterns that may fool a naive detector: a frozen sub-network (never in the
optimizer, but it also receives no gradient by design), zero-initialised
weight matrices (loss starts exactly at ln 2 = 0.6931; symmetry is broken
through the non-zero input layer, so the units do not stay identical), and
an lr schedule that reaches 0 at the very end.

Measured (250 steps): loss 0.693 -> ~0.05-0.08, train accuracy 0.968, test
accuracy 0.968 (noise 0.2 moons).
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons

torch.manual_seed(8)
X, y = make_moons(n_samples=2000, noise=0.2, random_state=8)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
Xtr, ytr, Xte, yte = X[:1500], y[:1500], X[1500:], y[1500:]


class FourierFeatures(nn.Module):
    """Fixed random Fourier features (Rahimi & Recht); the projection is not trained on purpose."""

    def __init__(self, d_in, n_feat, scale=2.0):
        super().__init__()
        self.proj = nn.Linear(d_in, n_feat)
        nn.init.normal_(self.proj.weight, std=scale)
        nn.init.uniform_(self.proj.bias, 0, 2 * math.pi)
        self.proj.requires_grad_(False)

    def forward(self, x):
        return torch.cos(self.proj(x)) * math.sqrt(2.0 / self.proj.out_features)


class ResidualHead(nn.Module):
    def __init__(self, d, n_classes):
        super().__init__()
        self.inp = nn.Linear(d, 64)
        self.block = nn.Sequential(nn.LayerNorm(64), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 64))
        self.out = nn.Linear(64, n_classes)
        # zero-init: residual branch starts as identity, classifier starts at uniform prediction
        nn.init.zeros_(self.block[-1].weight)
        nn.init.zeros_(self.block[-1].bias)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, h):
        h = self.inp(h)
        h = h + self.block(h)
        return self.out(F.gelu(h))


model = nn.Sequential(FourierFeatures(2, 128), ResidualHead(128, 2))
trainable = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.SGD(trainable, lr=0.05, momentum=0.9, nesterov=True)
warm = 20
total = 250
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(s, total) / total)))

for step in range(total):
    idx = torch.randint(0, len(Xtr), (64,))
    loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0 or step == total - 1:
        print(f"step {step:3d}  loss {loss.item():.4f}  lr {sched.get_last_lr()[0]:.4f}")

with torch.no_grad():
    tr_acc = (model(Xtr).argmax(1) == ytr).float().mean().item()
    te_acc = (model(Xte).argmax(1) == yte).float().mean().item()
print(f"train acc {tr_acc:.3f}  test acc {te_acc:.3f}")

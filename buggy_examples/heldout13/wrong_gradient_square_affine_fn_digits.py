"""Functional-style MLP on sklearn digits with a hand-written affine autograd.Function.

Seeded bug (wrong_gradient): AffineFn.backward computes the input gradient as
g @ W.t() instead of g @ W. Because the hidden layers are square (64x64) the
shapes still line up and nothing crashes, but every gradient passed to earlier
layers is wrong. Measured: buggy run collapses to chance (train loss 2.303,
test acc 0.100 after 200 steps); fixed backward reaches train loss 0.007,
test acc 0.976.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(2)
np.random.seed(0)


class AffineFn(torch.autograd.Function):
    """y = x W^T + b, with a hand-written backward to save a matmul copy."""

    @staticmethod
    def forward(ctx, x, W, b):
        ctx.save_for_backward(x, W)
        return x.mm(W.t()) + b

    @staticmethod
    def backward(ctx, g):
        x, W = ctx.saved_tensors
        gx = g.mm(W.t())
        gW = g.t().mm(x)
        gb = g.sum(0)
        return gx, gW, gb


def affine(x, W, b):
    return AffineFn.apply(x, W, b)


def init_params(sizes):
    ps = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_out, fan_in) * (2.0 / fan_in) ** 0.5
        b = torch.zeros(fan_out)
        ps += [W.requires_grad_(), b.requires_grad_()]
    return ps


def forward(params, x):
    h = x
    n = len(params) // 2
    for i in range(n):
        W, b = params[2 * i], params[2 * i + 1]
        if i < n - 1:
            h = F.relu(affine(h, W, b))
        else:
            h = F.linear(h, W, b)
    return h


X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.5) * 2.0
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
Xtr = torch.tensor(Xtr, dtype=torch.float32)
Xte = torch.tensor(Xte, dtype=torch.float32)
ytr = torch.tensor(ytr)
yte = torch.tensor(yte)

params = init_params([64, 64, 64, 64, 10])
opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)

bs = 64
steps = 0
for epoch in range(10):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        logits = forward(params, Xtr[idx])
        loss = F.cross_entropy(logits, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    with torch.no_grad():
        tr_loss = F.cross_entropy(forward(params, Xtr), ytr).item()
        acc = (forward(params, Xte).argmax(1) == yte).float().mean().item()
    if epoch % 3 == 0 or epoch == 9:
        print(f"epoch {epoch:2d} steps {steps} train_loss {tr_loss:.4f} test_acc {acc:.3f}")

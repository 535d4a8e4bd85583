"""Functional-style MLP (explicit weight tensors, F.linear) on a generated 3-arm spiral.

Seeded bug: in forward() the hidden activation is computed but not assigned
(`F.leaky_relu(h, 0.01)` instead of `h = F.leaky_relu(h, 0.01)`), so the 2-64-64-3
network is a composition of affine maps, i.e. a linear classifier, which cannot
separate interleaved spiral arms. Updates are healthy; capacity is the problem.

Measured (seed 5, 300 Adam steps, lr 1e-2): training loss plateaus at 1.026 (ln 3 =
1.099), train accuracy 0.349, test accuracy 0.390. Fixed copy (assign the activation):
training loss 0.006, train accuracy 1.000, test accuracy 0.997.
"""
# traindebug-expect: underfitting
import math

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
g = torch.Generator().manual_seed(5)


def spiral(n_per_arm, arms=3, noise=0.15, turns=1.0):
    xs, ys = [], []
    for k in range(arms):
        r = torch.linspace(0.05, 1.0, n_per_arm)
        theta = r * turns * 2 * math.pi + 2 * math.pi * k / arms
        theta = theta + noise * torch.randn(n_per_arm, generator=g)
        xs.append(torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1))
        ys.append(torch.full((n_per_arm,), k, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


X, Y = spiral(400)
perm = torch.randperm(len(X), generator=g)
X, Y = X[perm], Y[perm]
n_tr = 900
Xtr, Ytr, Xte, Yte = X[:n_tr], Y[:n_tr], X[n_tr:], Y[n_tr:]


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_in, fan_out, generator=g) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [W.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        W, b = params[2 * i], params[2 * i + 1]
        h = F.linear(h, W.t(), b)
        if i < n_layers - 1:
            F.leaky_relu(h, 0.01)
    return h


params = init_params([2, 64, 64, 3])
opt = torch.optim.Adam(params, lr=1e-2)

batch = 64
steps = 0
for epoch in range(20):
    order = torch.randperm(n_tr, generator=g)
    for i in range(0, n_tr, batch):
        idx = order[i:i + batch]
        loss = F.cross_entropy(forward(params, Xtr[idx]), Ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    if epoch % 4 == 3:
        with torch.no_grad():
            tr_logits = forward(params, Xtr)
            tr_loss = F.cross_entropy(tr_logits, Ytr).item()
            tr_acc = (tr_logits.argmax(1) == Ytr).float().mean().item()
        print(f"epoch {epoch + 1:2d} steps={steps} train_loss={tr_loss:.4f} train_acc={tr_acc:.3f}")

with torch.no_grad():
    te_acc = (forward(params, Xte).argmax(1) == Yte).float().mean().item()
print(f"test_acc={te_acc:.3f} (chance {1 / 3:.3f})")

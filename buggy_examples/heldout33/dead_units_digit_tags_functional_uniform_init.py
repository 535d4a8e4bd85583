"""
Multi-label "digit tags" classifier written in plain functional PyTorch: explicit parameter
tensors for a 64 -> 128 -> 64 -> 5 ReLU MLP, F.linear / F.relu in the forward, Adam lr 1e-3,
batch 64, 12 epochs over the 1437-image train split of load_digits (pixels / 16). Each image
gets 5 binary tags (even, prime, >= 5, has a closed loop, is 1 or 7) trained with
BCEWithLogitsLoss; reports mean tag accuracy and exact-match accuracy on the test split.

Seeded bug: the hand-written PyTorch-style uniform initialiser computes
(torch.rand(...) - 1.0) * bound instead of (torch.rand(...) * 2 - 1) * bound, so every weight
and bias lands in [-bound, 0) instead of [-bound, bound). The pixel inputs are non-negative,
so every first-layer pre-activation is negative for every image: all ReLUs are dead from step
0, the second layer only sees zeros plus a negative bias (dead too), and only the output bias
learns the tag base rates.

Measured (seed 0, 1 thread, 276 steps): buggy final train loss 0.668, test mean tag accuracy
0.584, exact match 0.000, fraction of hidden units active on any test image 0.00. Fixed copy
((rand * 2 - 1) * bound): final train loss 0.146, test mean tag accuracy 0.942, exact match
0.806, active units 0.86.
"""
# traindebug-expect: dead_units
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def make_tags(digits):
    d = np.asarray(digits)
    tags = np.stack([
        d % 2 == 0,
        np.isin(d, [2, 3, 5, 7]),
        d >= 5,
        np.isin(d, [0, 6, 8, 9]),
        np.isin(d, [1, 7]),
    ], axis=1)
    return tags.astype(np.float32)


def uniform_init(fan_in, fan_out, gen):
    bound = 1.0 / math.sqrt(fan_in)
    w = (torch.rand(fan_out, fan_in, generator=gen) - 1.0) * bound
    b = (torch.rand(fan_out, generator=gen) - 1.0) * bound
    return w.requires_grad_(), b.requires_grad_()


def init_params(sizes, seed=0):
    gen = torch.Generator().manual_seed(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.extend(uniform_init(fan_in, fan_out, gen))
    return params


def forward(params, x, return_hidden=False):
    h = x
    hidden = []
    n_layers = len(params) // 2
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        h = F.linear(h, w, b)
        if i < n_layers - 1:
            h = F.relu(h)
            hidden.append(h)
    return (h, hidden) if return_hidden else h


digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
Y = make_tags(digits.target)
X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.2, random_state=0)
X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
Y_tr, Y_te = torch.from_numpy(Y_tr), torch.from_numpy(Y_te)

params = init_params([64, 128, 64, 5])
opt = torch.optim.Adam(params, lr=1e-3)
batch_size, epochs = 64, 12
n = X_tr.shape[0]

for epoch in range(epochs):
    perm = torch.randperm(n)
    total = 0.0
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        logits = forward(params, X_tr[idx])
        loss = F.binary_cross_entropy_with_logits(logits, Y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    if epoch % 3 == 2 or epoch == epochs - 1:
        with torch.no_grad():
            logits, hidden = forward(params, X_te, return_hidden=True)
            pred = (logits > 0).float()
            tag_acc = (pred == Y_te).float().mean().item()
            active = torch.cat([(h > 0).any(0).float() for h in hidden]).mean().item()
        print(f"epoch {epoch + 1:2d}  train loss {total / n:.4f}  test tag acc {tag_acc:.3f}  "
              f"active units {active:.2f}")

with torch.no_grad():
    pred = (forward(params, X_te) > 0).float()
    tag_acc = (pred == Y_te).float().mean().item()
    exact = (pred == Y_te).all(1).float().mean().item()
print(f"final: train loss {total / n:.4f}  test mean tag acc {tag_acc:.3f}  exact match {exact:.3f}")

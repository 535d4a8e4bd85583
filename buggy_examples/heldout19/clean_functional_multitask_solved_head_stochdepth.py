"""Functional-style multi-task residual MLP (explicit parameter tensors + F.linear,
Adagrad) on sklearn digits: digit class, parity, and an "image not blank" check.

Clean control. Patterns that may fool a naive detector: (1) the total loss is a
weighted sum of per-task terms and the "ink" task is trivially solved within the
first few steps (loss ~1e-5, its head then gets ~zero gradient and stops moving);
(2) stochastic depth: each residual block is skipped for the whole batch with
probability 0.2 during training, so those block parameters get no gradient on
some steps, and the test-time forward scales branches by the survival rate.
Measured healthy numbers (330 steps): digit loss 0.33 -> 0.034, parity loss
0.19 -> 0.023, ink loss 1e-4 -> 0.0000; test digit_acc 0.989, parity_acc 0.978.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(5)


def init_params(d_in, width, depth, heads):
    def lin(i, o, scale=1.0):
        w = torch.randn(o, i) * math.sqrt(2.0 / i) * scale
        return [w.requires_grad_(), torch.zeros(o, requires_grad=True)]
    P = {"stem": lin(d_in, width)}
    for k in range(depth):
        P[f"block{k}"] = lin(width, width, scale=0.5)
    for name, n_out in heads.items():
        P[f"head_{name}"] = lin(width, n_out)
    return P


def forward(P, x, depth, train, survival=0.8):
    h = F.relu(F.linear(x, *P["stem"]))
    for k in range(depth):
        # stochastic depth: during training each residual branch is dropped for the
        # whole batch with prob 1 - survival; at test time it is always kept
        if train:
            if torch.rand(()) < survival:
                h = h + F.relu(F.linear(h, *P[f"block{k}"]))
        else:
            h = h + survival * F.relu(F.linear(h, *P[f"block{k}"]))
    return {name[5:]: F.linear(h, *p) for name, p in P.items() if name.startswith("head_")}


digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y_digit = digits.target
y_parity = y_digit % 2
y_ink = (X.sum(1) > 5.0).astype(np.int64)          # "image not blank": true for every sample
Xtr, Xte, dtr, dte, ptr, pte, itr, ite = train_test_split(
    X, y_digit, y_parity, y_ink, test_size=0.25, random_state=0)
T = lambda a: torch.tensor(a)
Xtr, Xte = T(Xtr), T(Xte)
dtr, dte, ptr, pte, itr, ite = map(lambda a: T(a).long(), (dtr, dte, ptr, pte, itr, ite))

heads = {"digit": 10, "parity": 2, "ink": 2}
weights = {"digit": 1.0, "parity": 0.5, "ink": 0.1}
DEPTH = 6
P = init_params(64, 96, DEPTH, heads)
params = [t for pair in P.values() for t in pair]
opt = torch.optim.Adagrad(params, lr=0.02)

step = 0
for epoch in range(15):
    perm = torch.randperm(len(Xtr))
    agg = {k: 0.0 for k in heads}
    nb = 0
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        out = forward(P, Xtr[idx], DEPTH, train=True)
        targets = {"digit": dtr[idx], "parity": ptr[idx], "ink": itr[idx]}
        losses = {k: F.cross_entropy(out[k], targets[k]) for k in heads}
        total = sum(weights[k] * losses[k] for k in heads)
        opt.zero_grad()
        total.backward()
        opt.step()
        step += 1
        nb += 1
        for k in heads:
            agg[k] += losses[k].item()
    if epoch % 3 == 2:
        with torch.no_grad():
            o = forward(P, Xte, DEPTH, train=False)
            acc_d = (o["digit"].argmax(1) == dte).float().mean().item()
            acc_p = (o["parity"].argmax(1) == pte).float().mean().item()
        print(f"epoch {epoch:2d} step {step} " + " ".join(f"{k}={agg[k] / nb:.4f}" for k in heads)
              + f"  test digit_acc {acc_d:.3f} parity_acc {acc_p:.3f}")

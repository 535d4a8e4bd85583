"""Functional-style MLP (explicit weight/bias tensors, no nn.Module) on a 4-class
make_classification problem, Adam, dict of hyper-parameters.

Seeded bug (dead_units): the `dense` helper fills every hidden-layer bias with
HP["bias_init"] = -2.0 while the weights are N(0, 1/fan_in), so pre-activations have std ~1
and sit ~2 std below zero.  At init 97% of layer-1 ReLU outputs are zero and 100% of the 64
layer-2 units are never active on a 512-sample batch; with layer 2 dead no gradient reaches
anything below the output bias, and the units never recover.

Measured (300 Adam steps, seed 3): val loss stays at 1.386 (= ln 4), val acc 0.251.
Same script with bias_init=0.0: val loss 0.409, val acc 0.877.
"""
# traindebug-expect: dead_units
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

HP = dict(seed=3, hidden=(128, 64), lr=3e-3, batch=128, steps=300,
          bias_init=-2.0, eval_every=50)


def dense(fan_in, fan_out, gen, bias_init):
    w = torch.randn(fan_in, fan_out, generator=gen) / math.sqrt(fan_in)
    b = torch.full((fan_out,), float(bias_init))
    return [w.requires_grad_(), b.requires_grad_()]


def build(n_in, n_out, hidden, gen, bias_init):
    sizes = [n_in, *hidden]
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params += dense(a, b, gen, bias_init)
    params += dense(sizes[-1], n_out, gen, 0.0)
    return params


def forward(params, x):
    *hidden, w_out, b_out = params
    h = x
    for w, b in zip(hidden[0::2], hidden[1::2]):
        h = F.relu(h @ w + b)
    return h @ w_out + b_out


def main():
    torch.manual_seed(HP["seed"])
    X, y = make_classification(n_samples=4000, n_features=24, n_informative=12, n_redundant=4,
                               n_classes=4, n_clusters_per_class=2, class_sep=1.2,
                               random_state=HP["seed"])
    X = StandardScaler().fit_transform(X).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    X_tr, y_tr, X_va, y_va = X[:3200], y[:3200], X[3200:], y[3200:]

    gen = torch.Generator().manual_seed(HP["seed"])
    params = build(X.shape[1], 4, HP["hidden"], gen, HP["bias_init"])
    opt = torch.optim.Adam(params, lr=HP["lr"])

    for step in range(1, HP["steps"] + 1):
        idx = torch.randint(0, len(X_tr), (HP["batch"],), generator=gen)
        loss = F.cross_entropy(forward(params, X_tr[idx]), y_tr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % HP["eval_every"] == 0 or step == 1:
            with torch.no_grad():
                logits = forward(params, X_va)
                va_loss = F.cross_entropy(logits, y_va).item()
                acc = (logits.argmax(1) == y_va).float().mean().item()
            print(f"step {step:4d}  train {loss.item():.4f}  val {va_loss:.4f}  acc {acc:.3f}")


if __name__ == "__main__":
    main()

"""Deep MLP on load_digits built from a list-of-layer-specs config.

Seeded bug: the specs store the activation under the key "activation", but the
builder looks up spec.get("act"); the lookup misses and silently falls back to
the default nn.Sigmoid, so the 11-layer net is a deep stack of sigmoids
(derivative <= 0.25 per layer) instead of GELUs. Gradients reaching the first
layer are ~1e-6 in norm vs ~0.7 at the output layer at step 0 and the early
layers never learn.
Measured (25 epochs, 275 SGD steps): buggy loss 2.309, test acc 0.100 (chance);
fixed (spec.get("activation")) loss 0.157, test acc 0.929.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

# ---------------------------------------------------------------------------
# architecture as data: each entry is one block
# ---------------------------------------------------------------------------
ARCH = (
    [{"kind": "dense", "units": 96, "activation": "gelu"}]
    + [{"kind": "dense", "units": 64, "activation": "gelu"} for _ in range(9)]
    + [{"kind": "dense", "units": 10, "activation": None}]
)

TRAIN_CFG = {"epochs": 25, "batch_size": 128, "lr": 0.05, "momentum": 0.9}

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


def build(arch, in_features):
    layers, width = [], in_features
    for i, spec in enumerate(arch):
        if spec["kind"] != "dense":
            raise ValueError(f"unknown block kind {spec['kind']!r}")
        lin = nn.Linear(width, spec["units"])
        nn.init.xavier_uniform_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        width = spec["units"]
        if i == len(arch) - 1:
            break
        act_cls = _ACTIVATIONS.get(spec.get("act"), nn.Sigmoid)
        layers.append(act_cls())
    return nn.Sequential(*layers)


def batches(x, y, bs, gen):
    order = torch.randperm(len(x), generator=gen)
    for s in range(0, len(x), bs):
        j = order[s:s + bs]
        yield x[j], y[j]


def main():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    net = build(ARCH, Xtr.shape[1])
    opt = torch.optim.SGD(net.parameters(), lr=TRAIN_CFG["lr"], momentum=TRAIN_CFG["momentum"])
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1)

    steps = 0
    for ep in range(TRAIN_CFG["epochs"]):
        net.train()
        tot, n = 0.0, 0
        for xb, yb in batches(Xtr, ytr, TRAIN_CFG["batch_size"], gen):
            loss = loss_fn(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(xb)
            n += len(xb)
            steps += 1
        if (ep + 1) % 5 == 0:
            net.eval()
            with torch.no_grad():
                acc = (net(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {ep + 1:2d} step {steps}  loss {tot / n:.4f}  test_acc {acc:.3f}")


if __name__ == "__main__":
    main()

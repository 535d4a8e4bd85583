"""Functional-style MLP (explicit weight tensors, F.gelu/F.dropout) trained with NAdam on an
8-class make_classification problem, with ReduceLROnPlateau for learning-rate control.

Seeded bug (lr_too_low): `plateau.step(loss.item())` is called after every mini-batch with the
noisy batch loss instead of once per epoch with the validation loss. With patience=3 and
factor=0.3 the scheduler sees "no improvement" almost constantly and decays the lr to ~0 early:
lr < 1e-4 after 17 steps, < 1e-6 after 43 steps, 2e-8 at the end of epoch 0 (of 295 steps).

Measured: train loss 2.03 -> 1.996 and stays there (ln 8 = 2.079), test loss frozen at 1.969,
test acc 0.236 for all 5 epochs.
Fixed copy (plateau.step(test_loss) once per epoch): lr stays 1e-3, train loss 1.89 -> 1.07,
test loss 1.01, test acc 0.660.
"""
# traindebug-expect: lr_too_low
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 3
HIDDEN = (128, 64)
BATCH = 64
EPOCHS = 5
LR = 1e-3


def init_params(sizes, gen):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{i}"] = ((torch.rand(fan_in, fan_out, generator=gen) * 2 - 1) * bound).requires_grad_()
        params[f"b{i}"] = torch.zeros(fan_out, requires_grad=True)
    return params


def forward(params, x, n_layers, p_drop=0.1, train=True):
    h = x
    for i in range(n_layers):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < n_layers - 1:
            h = F.gelu(h)
            h = F.dropout(h, p=p_drop, training=train)
    return h


def batches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, bs):
        yield perm[i:i + bs]


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    X, y = make_classification(n_samples=5000, n_features=40, n_informative=20, n_redundant=10,
                               n_classes=8, n_clusters_per_class=2, class_sep=1.0, flip_y=0.01,
                               random_state=SEED)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=SEED, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    sizes = (Xtr.shape[1],) + HIDDEN + (8,)
    n_layers = len(sizes) - 1
    params = init_params(sizes, gen)
    opt = torch.optim.NAdam(params.values(), lr=LR)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=3)

    step = 0
    for epoch in range(EPOCHS):
        ep_loss, seen = 0.0, 0
        for idx in batches(len(Xtr), BATCH, gen):
            logits = forward(params, Xtr[idx], n_layers, train=True)
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            plateau.step(loss.item())
            step += 1
            ep_loss += loss.item() * len(idx)
            seen += len(idx)
        with torch.no_grad():
            test_logits = forward(params, Xte, n_layers, train=False)
            test_loss = F.cross_entropy(test_logits, yte).item()
            acc = (test_logits.argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch} steps {step} lr {opt.param_groups[0]['lr']:.2e} "
              f"train_loss {ep_loss / seen:.4f} test_loss {test_loss:.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

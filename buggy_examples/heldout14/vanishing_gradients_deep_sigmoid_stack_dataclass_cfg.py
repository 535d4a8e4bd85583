"""Digits classifier: 8 hidden blocks of width 64, dataclass config, SGD+momentum.

Seeded bug (vanishing_gradients): the config default activation is "sigmoid"
for a plain (non-residual, no normalisation) 8-block stack with PyTorch's default
Linear init.  Each sigmoid multiplies the backward signal by <= 0.25 and the
default init shrinks it further, so the first Linear gets a gradient ~1e6 times
smaller than the head (measured at init on 256 samples: ||grad W_first|| = 3.0e-7
vs ||grad W_head|| = 0.32; with tanh: 1.8e-2 vs 2.3e-2).
Measured (15 epochs, 330 steps): buggy loss stays ~2.31, train acc 0.100,
test acc 0.100; fixed (activation="tanh") train acc 0.973, test acc 0.924.
"""
# traindebug-expect: vanishing_gradients
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    seed: int = 0
    hidden: int = 64
    depth: int = 8
    activation: str = "sigmoid"
    lr: float = 0.03
    momentum: float = 0.9
    batch_size: int = 64
    epochs: int = 15
    log_every: int = 5
    layer_sizes: list = field(default_factory=list)


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}


class DeepClassifier(nn.Module):
    def __init__(self, in_dim, n_classes, cfg: Config):
        super().__init__()
        act = ACTIVATIONS[cfg.activation]
        dims = [in_dim] + [cfg.hidden] * cfg.depth
        blocks = []
        for a, b in zip(dims[:-1], dims[1:]):
            blocks.append(nn.Sequential(nn.Linear(a, b), act()))
        self.body = nn.ModuleList(blocks)
        self.head = nn.Linear(cfg.hidden, n_classes)

    def forward(self, x):
        for blk in self.body:
            x = blk(x)
        return self.head(x)


def main(cfg: Config):
    torch.manual_seed(cfg.seed)
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr); yte = torch.tensor(yte)

    model = DeepClassifier(64, 10, cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(cfg.seed)
    n = len(Xtr)
    for ep in range(cfg.epochs):
        perm = torch.randperm(n, generator=g)
        tot = 0.0
        for s in range(0, n, cfg.batch_size):
            idx = perm[s:s + cfg.batch_size]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        if ep % cfg.log_every == 0 or ep == cfg.epochs - 1:
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {ep:2d}  loss {tot / n:.4f}  test_acc {acc:.3f}")
    with torch.no_grad():
        tr_acc = (model(Xtr).argmax(1) == ytr).float().mean().item()
        te_acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"final train_acc {tr_acc:.3f} test_acc {te_acc:.3f}")


if __name__ == "__main__":
    main(Config())

"""Deep tabular MLP (Linear-BatchNorm-ReLU-Dropout x6), dataclass config, SGD + cosine schedule.

Seeded bug (wrong_mode): the script calls model.train() once and then logs a baseline
with evaluate(), which switches the model to eval mode. The epoch loop never calls
model.train() again (evaluate() is called every 3 epochs and also leaves eval mode on),
so every training forward/backward runs in eval mode: BatchNorm normalises with its
initial running statistics (mean 0, var 1, never updated) and Dropout is disabled.

Measured (15 epochs, 270 steps): training stalls at chance for the first epochs
(epoch 3 val_acc 0.233 vs 0.704 fixed); final train_loss 0.215, val_loss 0.655,
val_acc 0.795 (no dropout -> large train/val gap).
Fixed copy (model.train() at the start of each epoch): final train_loss 0.530,
val_loss 0.526, val_acc 0.819.
"""
# traindebug-expect: wrong_mode
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    n_samples: int = 3000
    n_features: int = 40
    hidden: int = 128
    depth: int = 6
    dropout: float = 0.3
    lr: float = 0.1
    momentum: float = 0.9
    batch_size: int = 128
    epochs: int = 15
    seed: int = 3


def build_model(cfg):
    layers, d = [], cfg.n_features
    for _ in range(cfg.depth):
        layers += [nn.Linear(d, cfg.hidden), nn.BatchNorm1d(cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout)]
        d = cfg.hidden
    layers.append(nn.Linear(d, 4))
    return nn.Sequential(*layers)


@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    out = model(X)
    return nn.functional.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item()


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    X, y = make_classification(n_samples=cfg.n_samples, n_features=cfg.n_features, n_informative=20,
                               n_redundant=10, n_classes=4, n_clusters_per_class=3, class_sep=1.2,
                               flip_y=0.02, random_state=cfg.seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=cfg.seed)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr, yva = torch.tensor(ytr), torch.tensor(yva)

    model = build_model(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs)
    loss_fn = nn.CrossEntropyLoss()

    model.train()
    vl, va = evaluate(model, Xva, yva)
    print(f"before training: val_loss {vl:.4f} val_acc {va:.3f}")

    n = len(Xtr)
    for epoch in range(cfg.epochs):
        perm = torch.randperm(n)
        running = 0.0
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
        sched.step()
        if epoch % 3 == 2 or epoch == cfg.epochs - 1:
            vl, va = evaluate(model, Xva, yva)
            print(f"epoch {epoch + 1:2d} train_loss {running / n:.4f} val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()

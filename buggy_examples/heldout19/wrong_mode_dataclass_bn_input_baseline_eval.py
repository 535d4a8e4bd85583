"""Dataclass-configured nn.Sequential MLP (BatchNorm as learnable input
standardisation + BN/Dropout hidden layers) on the raw breast-cancer features.

Seeded bug (wrong_mode): `fit` calls `model.train()` once and then immediately logs
a baseline with `evaluate()`, which switches the model to eval mode and does not
restore it. Every training step therefore runs with BatchNorm in eval mode (using
the initial running stats mean 0 / var 1, so the raw features with scales up to
~4000 are NOT standardised) and with dropout disabled.
Measured: buggy final train loss 0.191, val_loss 0.177 (spike to 0.266 at epoch 15),
best val_acc 0.951; fixed (`model.train()` at the start of every epoch) final train
loss 0.074, val_loss 0.107, best val_acc 0.965.
"""
# traindebug-expect: wrong_mode
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


@dataclass
class Config:
    hidden: tuple = (64, 32)
    dropout: float = 0.2
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 32
    epochs: int = 24
    seed: int = 0
    history: list = field(default_factory=list)


def build_model(n_in, cfg):
    layers = [nn.BatchNorm1d(n_in)]           # learnable input standardisation
    d = n_in
    for h in cfg.hidden:
        layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Dropout(cfg.dropout)]
        d = h
    layers.append(nn.Linear(d, 1))
    return nn.Sequential(*layers)


@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    logit = model(X).squeeze(1)
    loss = F.binary_cross_entropy_with_logits(logit, y).item()
    acc = ((logit > 0).float() == y).float().mean().item()
    return loss, acc


def fit(model, cfg, Xtr, ytr, Xva, yva):
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    g = torch.Generator().manual_seed(cfg.seed)
    model.train()
    cfg.history.append(("init",) + evaluate(model, Xva, yva))
    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(len(Xtr), generator=g)
        tot = 0.0
        for i in range(0, len(Xtr) - cfg.batch_size + 1, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]).squeeze(1), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
            step += 1
        vl, va = evaluate(model, Xva, yva)
        cfg.history.append((epoch, vl, va))
        if epoch % 4 == 3:
            print(f"epoch {epoch:2d} step {step} train_loss {tot / (len(Xtr) // cfg.batch_size):.4f} "
                  f"val_loss {vl:.4f} val_acc {va:.3f}")
    return cfg.history


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    data = load_breast_cancer()
    Xtr, Xva, ytr, yva = train_test_split(data.data, data.target, test_size=0.25,
                                          random_state=cfg.seed, stratify=data.target)
    Xtr, Xva = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
    ytr, yva = torch.tensor(ytr, dtype=torch.float32), torch.tensor(yva, dtype=torch.float32)
    model = build_model(Xtr.shape[1], cfg)
    hist = fit(model, cfg, Xtr, ytr, Xva, yva)
    print("initial val loss/acc:", tuple(round(v, 4) for v in hist[0][1:]))
    print("best val acc:", max(h[2] for h in hist[1:]))


if __name__ == "__main__":
    main()

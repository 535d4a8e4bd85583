"""Seeded bug (symmetric_init): the hand-rolled Glorot-uniform initialiser computes the bound with
integer floor division, `math.sqrt(6 // (fan_in + fan_out))`, which is 0 for every layer, so all
weights start at exactly 0 and all biases at the same constant 0.01. Every hidden unit in a layer
computes the same value and receives the same gradient (AdamW keeps them identical), so the
128-64 MLP behaves like a 1-unit-wide chain.
Measured (270 AdamW steps): buggy train loss 1.98, test acc 0.189; fixed copy (`6 / (...)`):
train loss 0.008, test acc 0.978.
"""
# traindebug-expect: symmetric_init
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class Config:
    hidden: tuple = (128, 64)
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 50
    epochs: int = 10
    bias_init: float = 0.01   # small positive bias keeps ReLUs alive early on
    seed: int = 3
    device: str = "cpu"
    log_every: int = 2
    extra: dict = field(default_factory=dict)


def build_model(cfg, n_in, n_out):
    layers, prev = [], n_in
    for h in cfg.hidden:
        layers += [nn.Linear(prev, h), nn.ReLU()]
        prev = h
    layers.append(nn.Linear(prev, n_out))
    return nn.Sequential(*layers)


def glorot_uniform_(linear, bias_init):
    fan_out, fan_in = linear.weight.shape
    bound = math.sqrt(6 // (fan_in + fan_out))
    with torch.no_grad():
        linear.weight.uniform_(-bound, bound)
        linear.bias.fill_(bias_init)


def run(cfg):
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(1)
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed)
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    Xtr, Xte = torch.tensor(Xtr), torch.tensor(Xte)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    model = build_model(cfg, Xtr.shape[1], 10)
    for m in model.modules():
        if isinstance(m, nn.Linear):
            glorot_uniform_(m, cfg.bias_init)

    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    n = len(Xtr)
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        if (epoch + 1) % cfg.log_every == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"[{epoch + 1:02d}/{cfg.epochs}] train_loss={tot / n:.4f} test_acc={acc:.3f}")
    return acc


if __name__ == "__main__":
    run(Config())

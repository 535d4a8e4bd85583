"""Dataclass config, nn.Sequential MLP with dropout, Lookahead(Adam) wrapper,
6-class synthetic tabular data with 5% label noise. Validation is computed in
eval mode under torch.no_grad.

Seeded bug (overfitting): the outputs of train_test_split are unpacked in the
wrong order (X_val, X_train, y_val, y_train), so the model trains on the 25%
split (1000 rows) and "validates" on the 75% split; the 256-wide MLP memorises
the small training set.
Measured (25 epochs, 400 steps): buggy train loss 1.57 -> 0.125 while val loss
bottoms at 1.10 (epoch 10) and climbs to 1.20, val acc 0.641; fixed unpacking
(3000 training rows): train 0.179, val loss 0.83-0.87, val acc 0.741.
"""
# traindebug-expect: overfitting
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split


@dataclass
class Config:
    hidden: int = 256
    dropout: float = 0.3
    lr: float = 2e-3
    la_k: int = 5
    la_alpha: float = 0.5
    batch_size: int = 64
    epochs: int = 25
    val_fraction: float = 0.25
    seed: int = 0


class Lookahead(torch.optim.Optimizer):
    """Lookahead (Zhang et al. 2019) around any inner optimizer."""

    def __init__(self, inner, k=5, alpha=0.5):
        self.inner, self.k, self.alpha = inner, k, alpha
        self.param_groups = inner.param_groups
        self.defaults = inner.defaults
        self.state = inner.state
        self._slow = [[p.detach().clone() for p in g["params"]] for g in self.param_groups]
        self._count = 0

    def zero_grad(self, set_to_none=True):
        self.inner.zero_grad(set_to_none=set_to_none)

    @torch.no_grad()
    def step(self, closure=None):
        loss = self.inner.step(closure)
        self._count += 1
        if self._count % self.k == 0:
            for group, slow_group in zip(self.param_groups, self._slow):
                for p, slow in zip(group["params"], slow_group):
                    slow.add_(p - slow, alpha=self.alpha)
                    p.copy_(slow)
        return loss


cfg = Config()
torch.manual_seed(cfg.seed)

# 6-class problem with 5% label noise, 48 features (only 10 informative)
X, y = make_classification(n_samples=4000, n_features=48, n_informative=12, n_redundant=6,
                           n_classes=6, n_clusters_per_class=2, flip_y=0.05,
                           class_sep=1.2, random_state=cfg.seed)
X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
X_val, X_train, y_val, y_train = train_test_split(
    X, y, test_size=cfg.val_fraction, stratify=y, random_state=cfg.seed)
X_train, y_train = torch.from_numpy(X_train), torch.from_numpy(y_train).long()
X_val, y_val = torch.from_numpy(X_val), torch.from_numpy(y_val).long()

model = nn.Sequential(
    nn.Linear(48, cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout),
    nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout),
    nn.Linear(cfg.hidden, 6),
)
opt = Lookahead(torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=1e-4), k=cfg.la_k, alpha=cfg.la_alpha)
loss_fn = nn.CrossEntropyLoss()

n = len(X_train)
step = 0
for epoch in range(1, cfg.epochs + 1):
    model.train()
    perm = torch.randperm(n)
    for i in range(0, n, cfg.batch_size):
        idx = perm[i:i + cfg.batch_size]
        loss = loss_fn(model(X_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 5 == 0 or epoch == 1:
        model.eval()
        with torch.no_grad():
            tr_loss = loss_fn(model(X_train), y_train).item()
            logits = model(X_val)
            va_loss = loss_fn(logits, y_val).item()
            va_acc = (logits.argmax(1) == y_val).float().mean().item()
        print(f"epoch {epoch:3d} step {step:4d} train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.3f}")

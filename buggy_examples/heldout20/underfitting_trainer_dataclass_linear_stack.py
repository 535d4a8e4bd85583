"""Dataclass config + Trainer class, checkerboard (4x4 cells) 2-D classification,
Linear+BatchNorm blocks, AdamW, 320 steps.

Seeded bug: the block list is [Linear, BatchNorm1d] with no nonlinearity, so the whole
network is an affine map and cannot represent the checkerboard; updates are healthy but
the loss plateaus at chance level.

Measured (10 epochs): buggy loss 0.700, train acc 0.49, val acc 0.52; fixed
(nn.ReLU() appended to each block) loss 0.466, train acc 0.78, val acc 0.86.
"""
# traindebug-expect: underfitting
from dataclasses import dataclass, field
from typing import List

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


@dataclass
class Config:
    seed: int = 5
    n_train: int = 2000
    hidden: List[int] = field(default_factory=lambda: [64, 64])
    lr: float = 3e-3
    weight_decay: float = 1e-5
    batch_size: int = 64
    epochs: int = 10


def make_checkerboard(n, rng):
    X = rng.uniform(-2, 2, size=(n, 2))
    y = ((np.floor(X[:, 0]) + np.floor(X[:, 1])) % 2).astype(np.int64)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


class Classifier(nn.Module):
    def __init__(self, d_in, hidden, n_classes):
        super().__init__()
        dims = [d_in] + list(hidden)
        blocks = []
        for a, b in zip(dims[:-1], dims[1:]):
            blocks += [nn.Linear(a, b), nn.BatchNorm1d(b)]
        self.features = nn.Sequential(*blocks)
        self.out = nn.Linear(dims[-1], n_classes)

    def forward(self, x):
        return self.out(self.features(x))


class Trainer:
    def __init__(self, cfg, model):
        self.cfg = cfg
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.crit = nn.CrossEntropyLoss()
        self.history = []

    def train_epoch(self, loader):
        self.model.train()
        total, correct, count = 0.0, 0, 0
        for xb, yb in loader:
            logits = self.model(xb)
            loss = self.crit(logits, yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            count += len(yb)
        return total / count, correct / count

    @torch.no_grad()
    def evaluate(self, X, y):
        self.model.eval()
        return (self.model(X).argmax(1) == y).float().mean().item()

    def fit(self, loader, X_val, y_val):
        for ep in range(self.cfg.epochs):
            loss, acc = self.train_epoch(loader)
            val = self.evaluate(X_val, y_val)
            self.history.append((loss, acc, val))
            if ep % 3 == 0 or ep == self.cfg.epochs - 1:
                print(f"epoch {ep + 1:2d} loss {loss:.4f} train_acc {acc:.3f} val_acc {val:.3f}")


if __name__ == "__main__":
    cfg = Config()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    Xtr, ytr = make_checkerboard(cfg.n_train, rng)
    Xva, yva = make_checkerboard(1000, rng)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=cfg.batch_size, shuffle=True)
    trainer = Trainer(cfg, Classifier(2, cfg.hidden, 2))
    trainer.fit(loader, Xva, yva)

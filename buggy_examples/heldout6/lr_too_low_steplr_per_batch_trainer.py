"""Tabular residual MLP (make_classification, 4 classes) with a Trainer class,
dataclass config, SGD+momentum and a StepLR schedule.

Seeded bug (lr_too_low): StepLR(step_size=5, gamma=0.1) is meant to decay the
rate every 5 *epochs*, but scheduler.step() is called inside the batch loop,
so the rate is divided by 10 every 5 *batches*. After the first epoch
(25 batches) lr is 5e-7 and after epoch 2 it is 5e-12: the model stops
learning almost immediately. Measured: train loss 1.32 -> 1.28 and frozen
there for 11 epochs, val accuracy 0.398.
Fixed (scheduler.step() once per epoch): train loss 1.11 -> 0.154,
val accuracy 0.865.
"""
# traindebug-expect: lr_too_low
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class TrainConfig:
    n_samples: int = 2000
    n_features: int = 24
    n_classes: int = 4
    hidden: int = 96
    batch_size: int = 64
    epochs: int = 12
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 1e-4
    lr_step: int = 5        # decay every 5 epochs
    lr_gamma: float = 0.1
    seed: int = 0


class TabularNet(nn.Module):
    def __init__(self, n_in, hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x)) + x  # residual
        return self.head(x)


class Trainer:
    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg
        torch.manual_seed(cfg.seed)
        X, y = make_classification(
            n_samples=cfg.n_samples, n_features=cfg.n_features, n_informative=12,
            n_redundant=4, n_classes=cfg.n_classes, class_sep=1.2, random_state=cfg.seed,
        )
        X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=cfg.seed)
        sc = StandardScaler().fit(X_tr)
        self.train_ds = TensorDataset(torch.tensor(sc.transform(X_tr), dtype=torch.float32),
                                      torch.tensor(y_tr))
        self.val_ds = TensorDataset(torch.tensor(sc.transform(X_va), dtype=torch.float32),
                                    torch.tensor(y_va))
        self.model = TabularNet(cfg.n_features, cfg.hidden, cfg.n_classes)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=cfg.lr,
                                         momentum=cfg.momentum, weight_decay=cfg.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=cfg.lr_step,
                                                         gamma=cfg.lr_gamma)
        self.history = []

    def train_epoch(self, loader):
        self.model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(xb), yb)
            loss.backward()
            self.optimizer.step()
            self.scheduler.step()
            total += loss.item() * len(yb)
            count += len(yb)
        return total / count

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        xb, yb = self.val_ds.tensors
        logits = self.model(xb)
        return F.cross_entropy(logits, yb).item(), (logits.argmax(1) == yb).float().mean().item()

    def fit(self):
        loader = DataLoader(self.train_ds, batch_size=self.cfg.batch_size, shuffle=True)
        for epoch in range(self.cfg.epochs):
            tr_loss = self.train_epoch(loader)
            va_loss, va_acc = self.evaluate()
            self.history.append((tr_loss, va_loss, va_acc))
            lr_now = self.optimizer.param_groups[0]["lr"]
            print(f"[{epoch + 1:02d}/{self.cfg.epochs}] lr={lr_now:.2e} "
                  f"train={tr_loss:.4f} val={va_loss:.4f} acc={va_acc:.3f}")
        return self.history


if __name__ == "__main__":
    np.random.seed(0)
    Trainer(TrainConfig()).fit()

"""Digits 8x8 CNN with a small class-based Trainer (SGD + Nesterov, StepLR).

Seeded bug (frozen_or_unoptimized): in Trainer.train_epoch the line that should be
`self.optimizer.step()` was written as `self.scheduler.step()`. Gradients are computed
for every parameter on every batch and then cleared by zero_grad, but the optimizer
never applies them, so no parameter ever changes. The LR column still decays, so the
log looks "alive".

Measured (10 epochs, 230 steps): train_loss 2.3050 and val_acc 0.128 on every epoch.
Fixed copy (optimizer.step() followed by scheduler.step()): train_loss 0.063, val_acc 0.961.
"""
# traindebug-expect: frozen_or_unoptimized
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class SmallConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


class Trainer:
    def __init__(self, model, lr=0.05, epochs=10, batch_size=64):
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=80, gamma=0.5)
        self.history = []

    def _batches(self, X, y, gen):
        idx = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), self.batch_size):
            b = idx[i:i + self.batch_size]
            yield X[b], y[b]

    def train_epoch(self, X, y, gen):
        self.model.train()
        tot, n = 0.0, 0
        for xb, yb in self._batches(X, y, gen):
            logits = self.model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            tot += loss.item() * len(xb)
            n += len(xb)
        return tot / n

    @torch.no_grad()
    def evaluate(self, X, y):
        self.model.eval()
        logits = self.model(X)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()

    def fit(self, Xtr, ytr, Xva, yva):
        gen = torch.Generator().manual_seed(0)
        for ep in range(self.epochs):
            t0 = time.time()
            tr = self.train_epoch(Xtr, ytr, gen)
            vl, va = self.evaluate(Xva, yva)
            self.history.append((tr, vl, va))
            print(f"epoch {ep + 1:2d}  train_loss {tr:.4f}  val_loss {vl:.4f}  val_acc {va:.3f}  "
                  f"lr {self.scheduler.get_last_lr()[0]:.4f}  ({time.time() - t0:.2f}s)")
        return self.history


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)[:, None]  # N,1,8,8
    y = digits.target.astype(np.int64)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
    ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)

    trainer = Trainer(SmallConvNet())
    hist = trainer.fit(Xtr, ytr, Xva, yva)
    print(f"final val_acc {hist[-1][2]:.3f}")


if __name__ == "__main__":
    main()

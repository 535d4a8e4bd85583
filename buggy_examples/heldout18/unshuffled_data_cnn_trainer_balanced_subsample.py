"""Small 2-D CNN on 8x8 load_digits, class-based Trainer with callbacks, SGD+Nesterov, StepLR.

Seeded bug: the training set is built by a class-balanced subsample that
concatenates the images class by class (120 x digit 0, then 120 x digit 1, ...),
and the train loader is created through make_loader(), whose shuffle argument
defaults to False (only drop_last was passed). Every batch of 40 contains a
single digit and each epoch walks through the classes in order, so the net
keeps chasing the current class and ends each epoch predicting the last one.
Measured (10 epochs, 300 steps): buggy train loss ~2.44, val acc 0.085 (below
chance); fixed (shuffle=True for the train loader) train loss 0.004, val acc 0.988.
"""
# traindebug-expect: unshuffled_data
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(21)


def balanced_subsample(X, y, per_class, rng):
    """Take the same number of images from every class so no digit dominates."""
    keep_x, keep_y = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        pick = rng.choice(idx, size=per_class, replace=False)
        keep_x.append(X[pick])
        keep_y.append(y[pick])
    return np.concatenate(keep_x), np.concatenate(keep_y)


def make_loader(x, y, batch_size, drop_last=False, shuffle=False):
    ds = TensorDataset(torch.as_tensor(x, dtype=torch.float32).view(-1, 1, 8, 8),
                       torch.as_tensor(y, dtype=torch.long))
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)


class SmallConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 64)
        self.out = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc(x.flatten(1)))
        return self.out(x)


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class HistoryLogger(Callback):
    def __init__(self, every=3):
        self.every = every
        self.rows = []

    def on_epoch_end(self, trainer, epoch, logs):
        self.rows.append(logs)
        if epoch % self.every == 0 or epoch == trainer.epochs - 1:
            print(f"[{epoch:02d}] " + "  ".join(f"{k}={v:.4f}" for k, v in logs.items()))


class BestCheckpoint(Callback):
    def __init__(self, monitor="val_acc"):
        self.monitor, self.best, self.state = monitor, -1.0, None

    def on_epoch_end(self, trainer, epoch, logs):
        if logs[self.monitor] > self.best:
            self.best = logs[self.monitor]
            self.state = {k: v.clone() for k, v in trainer.model.state_dict().items()}


class Trainer:
    def __init__(self, model, optimizer, scheduler=None, callbacks=(), epochs=10):
        self.model, self.opt, self.sched = model, optimizer, scheduler
        self.callbacks, self.epochs = list(callbacks), epochs
        self.global_step = 0

    def train_epoch(self, loader):
        self.model.train()
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.global_step += 1
            total += loss.item() * len(yb)
            n += len(yb)
        if self.sched is not None:
            self.sched.step()
        return total / n

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        correct, n, tot = 0, 0, 0.0
        for xb, yb in loader:
            logits = self.model(xb)
            tot += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
        return tot / n, correct / n

    def fit(self, train_loader, val_loader):
        for epoch in range(self.epochs):
            tr_loss = self.train_epoch(train_loader)
            va_loss, va_acc = self.evaluate(val_loader)
            logs = {"train_loss": tr_loss, "val_loss": va_loss, "val_acc": va_acc}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)


def main():
    rng = np.random.default_rng(21)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    X_hold, y_hold = X[:400], y[:400]
    X_pool, y_pool = X[400:], y[400:]
    X_tr, y_tr = balanced_subsample(X_pool, y_pool, per_class=120, rng=rng)

    train_loader = make_loader(X_tr, y_tr, batch_size=40, drop_last=True)
    val_loader = make_loader(X_hold, y_hold, batch_size=200)

    model = SmallConvNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    hist, ckpt = HistoryLogger(), BestCheckpoint()
    trainer = Trainer(model, opt, sched, callbacks=[hist, ckpt], epochs=10)
    t0 = time.time()
    trainer.fit(train_loader, val_loader)
    print(f"steps={trainer.global_step}  final val_acc={hist.rows[-1]['val_acc']:.3f}  "
          f"best val_acc={ckpt.best:.3f}  ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()

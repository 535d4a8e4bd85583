"""Residual MLP on a small, noisy tabular problem (160 training rows, 40
features, 8% flipped labels), trained with SGD+Nesterov. A Keras-like callback
system does early stopping and restores the best checkpoint, and every epoch
runs a validation loop.

Seeded bug (overfitting): EarlyStopping is built with monitor="loss" (training
loss) instead of "val_loss". Training loss keeps falling towards zero, so the
"best" checkpoint is one of the most overfit ones, and training only stops once
train loss stops improving.

Measured: train loss 0.69 -> 0.0001 (train acc 1.0), while val loss rises from
0.60 (epoch 0) to 1.22 (epoch 10) and 1.70 (epoch 40). The run stops at epoch 48
(~190 steps) and the restored model has val loss 1.675, val acc 0.708. With
monitor="val_loss": it stops at epoch 17 and the restored model has val loss
0.539, val acc 0.733.
"""
# traindebug-expect: overfitting
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1234)


class ResidualMLP(nn.Module):
    def __init__(self, n_in, width=256, n_blocks=2, n_out=2):
        super().__init__()
        self.inp = nn.Linear(n_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width))
            for _ in range(n_blocks)
        )
        self.out = nn.Linear(width, n_out)

    def forward(self, x):
        h = torch.relu(self.inp(x))
        for blk in self.blocks:
            h = h + blk(h)
        return self.out(h)


class Callback:
    def on_epoch_end(self, trainer, logs):
        return False


class EarlyStopping(Callback):
    def __init__(self, monitor="loss", patience=10, min_delta=1e-4):
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.best = float("inf")
        self.wait = 0
        self.best_state = None

    def on_epoch_end(self, trainer, logs):
        value = logs[self.monitor]
        if value < self.best - self.min_delta:
            self.best, self.wait = value, 0
            self.best_state = copy.deepcopy(trainer.model.state_dict())
            return False
        self.wait += 1
        return self.wait >= self.patience


class HistoryLogger(Callback):
    def __init__(self, every=10):
        self.every = every

    def on_epoch_end(self, trainer, logs):
        if logs["epoch"] % self.every == 0:
            print(" ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                           for k, v in logs.items()))
        return False


class Trainer:
    def __init__(self, model, optimizer, callbacks):
        self.model, self.optimizer, self.callbacks = model, optimizer, callbacks
        self.crit = nn.CrossEntropyLoss()

    def _run(self, X, y, batch_size, train):
        self.model.train(train)
        perm = torch.randperm(len(X)) if train else torch.arange(len(X))
        tot, correct = 0.0, 0
        with torch.set_grad_enabled(train):
            for i in range(0, len(X), batch_size):
                idx = perm[i:i + batch_size]
                logits = self.model(X[idx])
                loss = self.crit(logits, y[idx])
                if train:
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()
                tot += loss.item() * len(idx)
                correct += (logits.argmax(1) == y[idx]).sum().item()
        return tot / len(X), correct / len(X)

    def fit(self, train, val, epochs, batch_size=40):
        for epoch in range(epochs):
            loss, acc = self._run(*train, batch_size, train=True)
            val_loss, val_acc = self._run(*val, 512, train=False)
            logs = {"epoch": epoch, "loss": loss, "acc": acc, "val_loss": val_loss, "val_acc": val_acc}
            stop = [cb.on_epoch_end(self, logs) for cb in self.callbacks]
            if any(stop):
                print(f"early stop at epoch {epoch}")
                break
        return logs


def main():
    X, y = make_classification(n_samples=560, n_features=40, n_informative=6, n_redundant=4,
                               flip_y=0.08, class_sep=0.9, random_state=5)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, train_size=160, random_state=5, stratify=y)
    sc = StandardScaler().fit(X_tr)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train = (to_t(sc.transform(X_tr)), torch.tensor(y_tr))
    val = (to_t(sc.transform(X_va)), torch.tensor(y_va))

    model = ResidualMLP(X.shape[1])
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    stopper = EarlyStopping(monitor="loss", patience=15)
    trainer = Trainer(model, opt, [stopper, HistoryLogger(every=10)])
    last = trainer.fit(train, val, epochs=80)
    if stopper.best_state is not None:
        model.load_state_dict(stopper.best_state)
    val_loss, val_acc = trainer._run(*val, 512, train=False)
    print(f"final (restored) val_loss {val_loss:.4f} val_acc {val_acc:.3f} "
          f"| last train loss {last['loss']:.4f}")


if __name__ == "__main__":
    main()

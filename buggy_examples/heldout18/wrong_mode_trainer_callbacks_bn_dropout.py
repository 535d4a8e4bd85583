"""Tabular classifier (make_classification, 4 classes) trained by a small
Trainer class with a callback system (validation, LR warm-up/decay, history).
The MLP uses BatchNorm1d + Dropout and a large SGD learning rate that is only
stable because BatchNorm re-normalises every batch.

Seeded bug (wrong_mode): Trainer.fit() calls self.model.train() once, before
the epoch loop, while ValidationCallback.on_epoch_end() switches the model to
eval() and nothing switches it back. From epoch 2 on, every forward/backward
pass runs in eval mode: dropout is off and BatchNorm normalises with frozen
running statistics from epoch 1, so the high learning rate is no longer
tamed: the training loss spikes (0.91 -> 1.44 between epochs 3 and 6) and the
final model is clearly worse.
Measured (seed 0, 300 steps): buggy  val loss 0.502, final val acc 0.838 (best 0.838);
                              fixed  val loss 0.315, final val acc 0.908 (best 0.910).
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)


class Callback:
    def on_fit_start(self, trainer):
        pass

    def on_batch_end(self, trainer, loss):
        pass

    def on_epoch_end(self, trainer, epoch):
        pass


class WarmupCosine(Callback):
    def __init__(self, warmup, total, base_lr):
        self.warmup, self.total, self.base_lr = warmup, total, base_lr

    def on_batch_end(self, trainer, loss):
        s = trainer.global_step
        if s < self.warmup:
            lr = self.base_lr * (s + 1) / self.warmup
        else:
            frac = (s - self.warmup) / max(1, self.total - self.warmup)
            lr = 0.5 * self.base_lr * (1 + np.cos(np.pi * min(frac, 1.0)))
        for g in trainer.optimizer.param_groups:
            g["lr"] = lr


class ValidationCallback(Callback):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def on_epoch_end(self, trainer, epoch):
        trainer.model.eval()
        with torch.no_grad():
            logits = trainer.model(self.x)
            trainer.history.setdefault("val_loss", []).append(F.cross_entropy(logits, self.y).item())
            trainer.history.setdefault("val_acc", []).append((logits.argmax(1) == self.y).float().mean().item())


class PrintCallback(Callback):
    def __init__(self, every):
        self.every = every

    def on_epoch_end(self, trainer, epoch):
        if (epoch + 1) % self.every == 0:
            h = trainer.history
            print(f"epoch {epoch + 1:2d} train_loss {h['train_loss'][-1]:.4f} "
                  f"val_loss {h['val_loss'][-1]:.4f} val_acc {h['val_acc'][-1]:.3f}")


class Trainer:
    def __init__(self, model, optimizer, callbacks):
        self.model, self.optimizer, self.callbacks = model, optimizer, callbacks
        self.global_step = 0
        self.history = {}

    def fit(self, x, y, epochs, batch_size):
        for cb in self.callbacks:
            cb.on_fit_start(self)
        self.model.train()
        n = len(x)
        for epoch in range(epochs):
            perm = torch.randperm(n)
            total = 0.0
            for i in range(0, n - batch_size + 1, batch_size):
                idx = perm[i:i + batch_size]
                loss = F.cross_entropy(self.model(x[idx]), y[idx])
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), 2.0)
                self.optimizer.step()
                total += loss.item() * batch_size
                self.global_step += 1
                for cb in self.callbacks:
                    cb.on_batch_end(self, loss.item())
            self.history.setdefault("train_loss", []).append(total / (n - n % batch_size))
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch)
        return self.history


def build_model(d_in, n_classes, width=128, p_drop=0.3):
    return nn.Sequential(
        nn.Linear(d_in, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(),
        nn.Linear(width, n_classes),
    )


def main():
    X, y = make_classification(n_samples=3000, n_features=24, n_informative=12, n_redundant=6,
                               n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=0)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr, yva = torch.tensor(ytr), torch.tensor(yva)

    epochs, bs, base_lr = 12, 96, 0.8
    steps = epochs * (len(Xtr) // bs)
    model = build_model(Xtr.shape[1], 4)
    opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9, weight_decay=5e-4)
    trainer = Trainer(model, opt, [WarmupCosine(25, steps, base_lr), ValidationCallback(Xva, yva), PrintCallback(3)])
    hist = trainer.fit(Xtr, ytr, epochs, bs)
    print(f"best val acc {max(hist['val_acc']):.3f}, final val acc {hist['val_acc'][-1]:.3f}")


if __name__ == "__main__":
    main()

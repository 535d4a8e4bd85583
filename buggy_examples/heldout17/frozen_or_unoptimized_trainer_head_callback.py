"""Two-stage transfer learning on sklearn digits with a small class-based
Trainer and Keras-like callbacks: pretrain an MLP on digits 0-5, then freeze
the backbone and fit a new 4-way head on a few labelled digits 6-9.

Seeded bug (frozen_or_unoptimized): the Trainer builds its Adam optimizer in
__init__, but the AdaptHead callback replaces model.head in on_fit_start (the
6-way source head becomes a 4-way head). The new head's parameters receive
gradients every step but are not in the optimizer, so they never change; the
optimizer only holds the frozen backbone and the discarded old head.
Measured (114 source + 135 target steps): buggy target loss constant at 2.177,
target val acc 0.268 (chance 0.25); fixed (optimizer built in fit() after the
on_fit_start callbacks) target loss 0.60, val acc 0.772.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(1)


class Callback:
    def on_fit_start(self, trainer): pass
    def on_epoch_end(self, trainer, epoch, logs): pass


class PrintLogs(Callback):
    def __init__(self, every=1):
        self.every = every

    def on_epoch_end(self, trainer, epoch, logs):
        if (epoch + 1) % self.every == 0:
            print(f"  [{trainer.name}] epoch {epoch + 1}: " +
                  " ".join(f"{k}={v:.4f}" for k, v in logs.items()))


class AdaptHead(Callback):
    """Re-size the classification head to the number of classes in the data."""

    def __init__(self, n_classes):
        self.n_classes = n_classes

    def on_fit_start(self, trainer):
        head = trainer.model.head
        if head.out_features != self.n_classes:
            trainer.model.head = nn.Linear(head.in_features, self.n_classes)


class DigitNet(nn.Module):
    def __init__(self, n_classes, width=96, emb=32):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Linear(64, width), nn.GELU(),
            nn.Linear(width, emb), nn.GELU(),
        )
        self.head = nn.Linear(emb, n_classes)

    def forward(self, x):
        return self.head(self.backbone(x))

    def freeze_backbone(self):
        for p in self.backbone.parameters():
            p.requires_grad_(False)


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=32, callbacks=(), name="train"):
        self.model, self.batch_size, self.name = model, batch_size, name
        self.callbacks = list(callbacks)
        params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.Adam(params, lr=lr)

    def _emit(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    def fit(self, x, y, x_val, y_val, epochs):
        self._emit("on_fit_start")
        g = torch.Generator().manual_seed(0)
        for epoch in range(epochs):
            self.model.train()
            perm = torch.randperm(len(x), generator=g)
            losses = []
            for i in range(0, len(x), self.batch_size):
                idx = perm[i:i + self.batch_size]
                loss = F.cross_entropy(self.model(x[idx]), y[idx])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                losses.append(loss.item())
            logs = {"loss": float(np.mean(losses)), "val_acc": self.accuracy(x_val, y_val)}
            self._emit("on_epoch_end", epoch, logs)
        return self

    @torch.no_grad()
    def accuracy(self, x, y):
        self.model.eval()
        return (self.model(x).argmax(1) == y).float().mean().item()


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)

# source task: digits 0-5; target task: digits 6-9 with few labels
src = y < 6
Xs, ys = X[src], y[src]
Xt, yt = X[~src], y[~src] - 6
Xs_tr, Xs_va, ys_tr, ys_va = train_test_split(Xs, ys, test_size=0.25, random_state=0)
Xt_tr, Xt_va, yt_tr, yt_va = train_test_split(Xt, yt, train_size=240, random_state=0)

print("pretraining on digits 0-5")
model = DigitNet(n_classes=6)
Trainer(model, lr=2e-3, callbacks=[PrintLogs(every=3)], name="source").fit(
    Xs_tr, ys_tr, Xs_va, ys_va, epochs=6)

print("transfer to digits 6-9 (frozen backbone, new head)")
model.freeze_backbone()
finetune = Trainer(model, lr=5e-3, batch_size=16,
                   callbacks=[AdaptHead(n_classes=4), PrintLogs(every=3)], name="target")
finetune.fit(Xt_tr, yt_tr, Xt_va, yt_va, epochs=9)
print(f"final target val acc: {finetune.accuracy(Xt_va, yt_va):.3f}")

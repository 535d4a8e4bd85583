"""Digits MLP with a callback-based Trainer and Adam, hand-written L2 penalty.

Seeded bug (over_regularization): the loss adds `l2 * sum(p.pow(2).sum())` over all
parameters (biases included) with l2=5e-2 on top of a mean cross-entropy. The
penalty term dominates the gradient and keeps the weights small, so the model cannot
fit the training data.

Measured (15 epochs, 330 steps): train CE plateaus at 0.70, val_acc 0.856, total weight
norm ~4.6.
Fixed copy (l2=1e-5): train CE 0.0024, val_acc 0.982, weight norm 16.2.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogger(Callback):
    def __init__(self, every=2):
        self.every = every

    def on_epoch_end(self, trainer, epoch, logs):
        if (epoch + 1) % self.every == 0:
            print(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in logs.items()))


class WeightNormTracker(Callback):
    def __init__(self):
        self.norms = []

    def on_epoch_end(self, trainer, epoch, logs):
        with torch.no_grad():
            logs["w_norm"] = float(torch.sqrt(sum((p ** 2).sum() for p in trainer.model.parameters())))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Trainer:
    def __init__(self, model, lr=2e-3, l2=5e-2, callbacks=()):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.l2 = l2
        self.callbacks = list(callbacks)

    def penalty(self):
        return sum(p.pow(2).sum() for p in self.model.parameters())

    def fit(self, train, val, epochs, bs):
        xtr, ytr = train
        for epoch in range(epochs):
            self.model.train()
            perm = torch.randperm(len(xtr))
            ce_sum = 0.0
            for i in range(0, len(xtr), bs):
                idx = perm[i:i + bs]
                ce = F.cross_entropy(self.model(xtr[idx]), ytr[idx])
                loss = ce + self.l2 * self.penalty()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                ce_sum += ce.item() * len(idx)
            logs = {"epoch": epoch + 1, "train_ce": ce_sum / len(xtr), **self.evaluate(*val)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        out = self.model(x)
        return {"val_ce": F.cross_entropy(out, y).item(), "val_acc": (out.argmax(1) == y).float().mean().item()}


if __name__ == "__main__":
    torch.manual_seed(0)
    d = load_digits()
    X = (d.data / 16.0).astype(np.float32)
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    xtr, xva, ytr, yva = train_test_split(X, d.target, test_size=0.25, random_state=0)
    train = (torch.tensor(xtr), torch.tensor(ytr))
    val = (torch.tensor(xva), torch.tensor(yva))
    trainer = Trainer(Net(), callbacks=[WeightNormTracker(), PrintLogger(every=3)])
    trainer.fit(train, val, epochs=15, bs=64)

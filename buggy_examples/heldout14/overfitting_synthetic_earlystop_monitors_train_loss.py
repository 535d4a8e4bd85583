"""Seeded bug (overfitting): the EarlyStopping callback is built with monitor="loss" (the training-loss
key of the logs dict) instead of "val_loss", so it keeps the checkpoint with the lowest TRAINING loss
and never stops while a 256-wide MLP memorises 200 noisy samples. Validation is computed in eval mode
under torch.no_grad every epoch. Measured: train loss 0.64 -> 0.0025 while val loss 0.575 -> 1.37;
restored "best" model val_loss 1.371, val_acc 0.732; fixed (monitor="val_loss"): stops at epoch 12,
restored val_loss 0.540, val_acc 0.752.
"""
# traindebug-expect: overfitting
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification

torch.manual_seed(0)


class EarlyStopping:
    def __init__(self, monitor="val_loss", patience=10):
        self.monitor, self.patience = monitor, patience
        self.best, self.wait, self.best_state = float("inf"), 0, None

    def __call__(self, logs, model):
        cur = logs[self.monitor]
        if cur < self.best - 1e-4:
            self.best, self.wait = cur, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.wait += 1
        return self.wait >= self.patience


X, y = make_classification(n_samples=700, n_features=40, n_informative=8, n_redundant=4,
                           flip_y=0.08, class_sep=0.9, random_state=4)
X = (X - X.mean(0)) / X.std(0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
Xtr, ytr, Xva, yva = X[:200], y[:200], X[200:], y[200:]

model = nn.Sequential(nn.Linear(40, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=5)
stopper = EarlyStopping(monitor="loss", patience=10)
crit = nn.CrossEntropyLoss()

for epoch in range(1, 61):
    model.train()
    perm = torch.randperm(len(Xtr))
    tl = 0.0
    for i in range(0, len(Xtr), 40):
        idx = perm[i:i + 40]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tl += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        logs = {"loss": tl / len(Xtr), "val_loss": crit(out, yva).item(),
                "val_acc": (out.argmax(1) == yva).float().mean().item()}
    sched.step(logs["val_loss"])
    if epoch % 10 == 0 or epoch == 1:
        print(f"epoch {epoch:3d} loss {logs['loss']:.4f} val_loss {logs['val_loss']:.4f} val_acc {logs['val_acc']:.3f}")
    if stopper(logs, model):
        print(f"early stop at epoch {epoch}")
        break

model.load_state_dict(stopper.best_state)
with torch.no_grad():
    out = model(Xva)
print(f"restored best: val_loss {crit(out, yva).item():.4f} val_acc {(out.argmax(1) == yva).float().mean().item():.3f}")

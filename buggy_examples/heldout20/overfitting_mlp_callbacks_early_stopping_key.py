"""Wide MLP on a small noisy make_classification set, Keras-like callbacks.

Seeded bug (overfitting): EarlyStopping is created with its default
monitor="loss" (the training loss) instead of "val_loss", so it never triggers and
never restores the best checkpoint; the held-out loss (computed under
torch.no_grad) climbs while the training loss goes to ~0.
Measured: buggy runs all 60 epochs (420 steps): train loss 0.0004, val loss
1.53 (was 0.58 at its minimum), val acc 0.709; fixed (monitor="val_loss") stops at
epoch 12 and restores val loss 0.578, val acc 0.697.
"""
# traindebug-expect: overfitting
import copy
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class Callback:
    def on_epoch_end(self, epoch, logs, model):
        return False


class EarlyStopping(Callback):
    def __init__(self, monitor="loss", patience=8, min_delta=1e-4):
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.best, self.wait, self.best_state = float("inf"), 0, None

    def on_epoch_end(self, epoch, logs, model):
        cur = logs[self.monitor]
        if cur < self.best - self.min_delta:
            self.best, self.wait = cur, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.wait += 1
        if self.wait >= self.patience:
            print(f"early stop at epoch {epoch+1}, best {self.monitor}={self.best:.4f}")
            model.load_state_dict(self.best_state)
            return True
        return False


class PrintLogger(Callback):
    def __init__(self, every=15):
        self.every = every

    def on_epoch_end(self, epoch, logs, model):
        if (epoch + 1) % self.every == 0:
            print(f"epoch {epoch+1:3d} " + " ".join(f"{k} {v:.4f}" for k, v in logs.items()))
        return False


X, y = make_classification(n_samples=700, n_features=40, n_informative=8, n_redundant=4,
                           flip_y=0.15, class_sep=0.8, random_state=3)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.5, random_state=0)
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (torch.tensor((a - mu) / sd, dtype=torch.float32) for a in (Xtr, Xva))
ytr, yva = torch.tensor(ytr), torch.tensor(yva)

model = nn.Sequential(nn.Linear(40, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
callbacks = [PrintLogger(), EarlyStopping(patience=8)]

BS, MAX_EPOCHS = 50, 60
for epoch in range(MAX_EPOCHS):
    model.train()
    perm = torch.randperm(len(Xtr))
    tl = 0.0
    for i in range(0, len(perm), BS):
        idx = perm[i:i + BS]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tl += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        logs = {"loss": tl / len(perm), "val_loss": crit(out, yva).item(),
                "val_acc": (out.argmax(1) == yva).float().mean().item()}
    if any(cb.on_epoch_end(epoch, logs, model) for cb in callbacks):
        break

with torch.no_grad():
    out = model(Xva)
    print(f"restored model: val_loss {crit(out, yva).item():.4f} "
          f"val_acc {(out.argmax(1) == yva).float().mean().item():.3f}")

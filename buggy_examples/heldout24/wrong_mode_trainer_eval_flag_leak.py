"""Mini Trainer with callbacks (early stopping, in-memory checkpoint) for a 3-class
tabular problem; the MLP starts with an input BatchNorm and has BatchNorm + Dropout blocks.

Seeded bug: Trainer.fit() calls self.model.train() once, before the epoch loop, while
Trainer.evaluate() (run at the end of every epoch) switches the model to eval(). From the
second epoch on, every training forward/backward runs in eval mode: dropout is off and the
BatchNorm layers normalise with running statistics frozen after one epoch (the input BN has
not converged to the raw feature offsets of +-300), and they are never updated again.

Measured (this script vs. a copy that calls model.train() at the start of every epoch):
train loss at epoch 25 0.71 vs 0.35 at epoch 20 (the fixed run early-stops at
epoch 21), best val loss 0.777 vs 0.620, test accuracy 0.717 vs 0.756.
"""
# traindebug-expect: wrong_mode
import copy
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        return False


class EarlyStopping(Callback):
    def __init__(self, monitor="val_loss", patience=8, min_delta=1e-4):
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.best, self.wait = float("inf"), 0

    def on_epoch_end(self, trainer, epoch, logs):
        cur = logs[self.monitor]
        if cur < self.best - self.min_delta:
            self.best, self.wait = cur, 0
        else:
            self.wait += 1
        return self.wait >= self.patience


class InMemoryCheckpoint(Callback):
    def __init__(self, monitor="val_loss"):
        self.monitor = monitor
        self.best = float("inf")
        self.state = None
        self.epoch = -1

    def on_epoch_end(self, trainer, epoch, logs):
        if logs[self.monitor] < self.best:
            self.best = logs[self.monitor]
            self.state = copy.deepcopy(trainer.model.state_dict())
            self.epoch = epoch
        return False


class Trainer:
    def __init__(self, model, optimizer, loss_fn, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.callbacks = list(callbacks)
        self.history = []

    def train_step(self, xb, yb):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(xb), yb)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        tot, correct, n = 0.0, 0, 0
        for xb, yb in loader:
            out = self.model(xb)
            tot += self.loss_fn(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
        return tot / n, correct / n

    def fit(self, train_loader, val_loader, epochs):
        self.model.train()
        for epoch in range(epochs):
            losses = [self.train_step(xb, yb) for xb, yb in train_loader]
            val_loss, val_acc = self.evaluate(val_loader)
            logs = {"loss": float(np.mean(losses)), "val_loss": val_loss, "val_acc": val_acc}
            self.history.append(logs)
            if epoch % 5 == 0:
                print(f"epoch {epoch:3d} loss {logs['loss']:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")
            stop = False
            for cb in self.callbacks:
                stop = cb.on_epoch_end(self, epoch, logs) or stop
            if stop:
                print(f"early stop at epoch {epoch}")
                break
        return self.history


X, y = make_classification(n_samples=900, n_features=40, n_informative=10, n_redundant=6,
                           n_classes=3, n_clusters_per_class=2, class_sep=1.0, flip_y=0.03,
                           random_state=3)
X = X * np.linspace(1, 25, X.shape[1]) + np.linspace(-300, 300, X.shape[1])
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
X_va, X_te, y_va, y_te = train_test_split(X_te, y_te, test_size=0.5, random_state=0, stratify=y_te)
to_t = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b))
train_loader = DataLoader(to_t(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(to_t(X_va, y_va), batch_size=256)
test_loader = DataLoader(to_t(X_te, y_te), batch_size=256)

model = nn.Sequential(
    nn.BatchNorm1d(40),
    nn.Linear(40, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 3),
)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
ckpt = InMemoryCheckpoint()
trainer = Trainer(model, opt, nn.CrossEntropyLoss(), [EarlyStopping(patience=10), ckpt])
trainer.fit(train_loader, val_loader, epochs=30)
model.load_state_dict(ckpt.state)
test_loss, test_acc = trainer.evaluate(test_loader)
print(f"best epoch {ckpt.epoch} best val_loss {ckpt.best:.4f}")
print(f"test loss {test_loss:.4f} test acc {test_acc:.3f}")

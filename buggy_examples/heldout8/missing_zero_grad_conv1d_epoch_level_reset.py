"""1-D CNN regressing (log decay, frequency) of noisy damped oscillations;
class-based Trainer with callbacks (printing logger, best checkpoint), Adam.

Seeded bug (missing_zero_grad): Trainer._train_one_epoch calls
self.opt.zero_grad() once at the start of the epoch, before the batch loop,
instead of once per batch. Within each epoch (25 batches) .grad keeps summing
the gradients of all previous batches, so each step follows a growing, stale
running sum of gradients.

Measured (300 steps, targets standardised so predicting the mean gives 1.0):
final train MSE 0.720, val MSE 0.619 (best 0.459), val MSE oscillating
(0.88 -> 1.09 -> 0.82). Fixed copy (zero_grad per batch): train MSE 0.0051,
val MSE 0.0042.
"""
# traindebug-expect: missing_zero_grad
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(5)
np.random.seed(5)


def make_signals(n, length=96, seed=0):
    """Damped oscillations; regress (log-decay, frequency) from the raw trace."""
    r = np.random.default_rng(seed)
    t = np.linspace(0, 1, length, dtype=np.float32)
    decay = r.uniform(0.5, 4.0, size=(n, 1))
    freq = r.uniform(2.0, 9.0, size=(n, 1))
    phase = r.uniform(0, 2 * math.pi, size=(n, 1))
    x = np.exp(-decay * t) * np.cos(2 * math.pi * freq * t + phase)
    x += 0.05 * r.standard_normal(x.shape)
    y = np.concatenate([np.log(decay), freq], axis=1)
    return x.astype(np.float32)[:, None, :], y.astype(np.float32)


class ConvRegressor(nn.Module):
    def __init__(self, ch=24):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, ch, 7, padding=3), nn.GELU(),
            nn.Conv1d(ch, ch, 5, padding=2, stride=2), nn.GELU(),
            nn.Conv1d(ch, 2 * ch, 5, padding=2, stride=2), nn.GELU(),
            nn.AdaptiveAvgPool1d(4),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * ch, 64), nn.GELU(), nn.Linear(64, 2))

    def forward(self, x):
        return self.head(self.features(x))


class Callback:
    def on_epoch_end(self, trainer, epoch, logs):
        pass


class PrintLogger(Callback):
    def on_epoch_end(self, trainer, epoch, logs):
        if epoch % 3 == 0 or epoch == trainer.epochs - 1:
            print(f"epoch {epoch + 1:2d}  " + "  ".join(f"{k} {v:.4f}" for k, v in logs.items()))


class BestCheckpoint(Callback):
    def __init__(self):
        self.best, self.state = float("inf"), None

    def on_epoch_end(self, trainer, epoch, logs):
        if logs["val_mse"] < self.best:
            self.best = logs["val_mse"]
            self.state = {k: v.clone() for k, v in trainer.model.state_dict().items()}


class Trainer:
    def __init__(self, model, opt, loss_fn, epochs, callbacks=()):
        self.model, self.opt, self.loss_fn = model, opt, loss_fn
        self.epochs, self.callbacks = epochs, list(callbacks)
        self.steps = 0

    def _train_one_epoch(self, loader):
        self.model.train()
        self.opt.zero_grad()
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            self.steps += 1
            total += loss.item() * len(xb)
            n += len(xb)
        return total / n

    @torch.no_grad()
    def _validate(self, loader):
        self.model.eval()
        total, n = 0.0, 0
        for xb, yb in loader:
            total += self.loss_fn(self.model(xb), yb).item() * len(xb)
            n += len(xb)
        return total / n

    def fit(self, train_loader, val_loader):
        for epoch in range(self.epochs):
            logs = {"train_mse": self._train_one_epoch(train_loader),
                    "val_mse": self._validate(val_loader)}
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
        return self


X_tr, y_tr = make_signals(1600, seed=1)
X_va, y_va = make_signals(400, seed=2)
mu, sd = y_tr.mean(0), y_tr.std(0)
norm = lambda y: torch.tensor((y - mu) / sd)
train_loader = DataLoader(TensorDataset(torch.tensor(X_tr), norm(y_tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X_va), norm(y_va)), batch_size=400)

model = ConvRegressor()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
ckpt = BestCheckpoint()
trainer = Trainer(model, opt, nn.MSELoss(), epochs=12, callbacks=[PrintLogger(), ckpt])
trainer.fit(train_loader, val_loader)
print(f"steps {trainer.steps}  best val_mse {ckpt.best:.4f}  (predicting the mean gives 1.0)")

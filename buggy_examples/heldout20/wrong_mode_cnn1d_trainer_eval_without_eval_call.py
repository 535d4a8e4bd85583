"""Class-based Trainer, 1-D CNN with BatchNorm + Dropout(0.5) on synthetic waveforms.

Seeded bug (wrong_mode): Trainer.evaluate() never calls model.eval(), so
validation runs in train mode: dropout is active, BatchNorm normalises with the
statistics of small (8-sample) validation batches and its running stats are
updated with validation data. (fit() does call model.train() each epoch.)
Measured (228 steps): buggy final val loss 0.522, val acc 0.823; fixed
(self.model.eval() in evaluate): val loss 0.333, val acc 0.900.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def make_signals(n, length=96):
    """4 classes: sine, square, sawtooth, chirp with random freq/phase/noise."""
    t = np.linspace(0, 1, length)
    X, y = np.zeros((n, 1, length), np.float32), rng.integers(0, 4, n)
    for i, c in enumerate(y):
        f, ph = rng.uniform(3, 7), rng.uniform(0, 2 * np.pi)
        if c == 0:
            s = np.sin(2 * np.pi * f * t + ph)
        elif c == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        elif c == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1) - 1
        else:
            s = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
        X[i, 0] = rng.uniform(0.5, 3.0) * s + rng.uniform(-2, 2) + 0.8 * rng.standard_normal(length)
    return torch.from_numpy(X), torch.from_numpy(y)


class Net1D(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.fc(self.drop(h))


class Trainer:
    def __init__(self, model, lr=3e-3, epochs=12):
        self.model, self.epochs = model, epochs
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.opt, T_max=epochs)
        self.history = []

    @torch.no_grad()
    def evaluate(self, loader):
        correct, loss, n = 0, 0.0, 0
        for xb, yb in loader:
            out = self.model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
        return loss / n, correct / n

    def fit(self, train_loader, val_loader):
        for epoch in range(self.epochs):
            self.model.train()
            tl, n = 0.0, 0
            for xb, yb in train_loader:
                loss = F.cross_entropy(self.model(xb), yb)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                tl += loss.item() * len(yb)
                n += len(yb)
            self.sched.step()
            vl, va = self.evaluate(val_loader)
            self.history.append((tl / n, vl, va))
            if epoch % 3 == 2:
                print(f"epoch {epoch+1:2d} train {tl/n:.4f} val {vl:.4f} acc {va:.3f}")
        return self.history


Xtr, ytr = make_signals(1200)
Xva, yva = make_signals(400)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True,
                          generator=torch.Generator().manual_seed(0))
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=8)
hist = Trainer(Net1D()).fit(train_loader, val_loader)
print(f"final val acc {hist[-1][2]:.3f}")

"""LSTM sequence classifier (trend up / trend down / oscillating), dataclass config, Trainer class, Adam.

Seeded bug (lr_too_low): StepLR(step_size=1, gamma=0.5) is meant to halve the learning rate once
per epoch, but scheduler.step() is called inside the batch loop. The rate is halved every batch,
so after ~24 steps (less than one epoch) it is below 1e-10 and training stops making progress.

Measured (6 epochs, 144 steps): buggy train loss 1.057 -> 1.055 (flat, near ln 3 = 1.10),
val accuracy 0.525 (majority-ish), lr 1.8e-10 after epoch 0 and 1.3e-46 at the end.
Fixed copy (scheduler stepped once per epoch): train loss 0.79 -> 0.11, val accuracy 0.990.
"""
# traindebug-expect: lr_too_low
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class Config:
    seq_len: int = 24
    n_train: int = 1536
    n_val: int = 512
    hidden: int = 48
    batch_size: int = 64
    epochs: int = 6
    lr: float = 3e-3
    lr_decay: float = 0.5
    seed: int = 11


def make_sequences(n, seq_len, rng):
    """3-class task: is the sequence trending up, down, or oscillating?"""
    t = np.linspace(0, 1, seq_len, dtype=np.float32)
    labels = rng.integers(0, 3, size=n)
    x = np.empty((n, seq_len, 2), dtype=np.float32)
    for i, c in enumerate(labels):
        amp = rng.uniform(0.5, 1.5)
        if c == 0:
            s = amp * t
        elif c == 1:
            s = -amp * t
        else:
            s = 0.5 * amp * np.sin(2 * np.pi * rng.uniform(2, 4) * t)
        s = s + rng.normal(0, 0.3, seq_len)
        x[i, :, 0] = s
        x[i, :, 1] = np.gradient(s)
    return torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))


class LSTMClassifier(nn.Module):
    def __init__(self, hidden, n_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(2, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


class Trainer:
    def __init__(self, cfg: Config):
        self.cfg = cfg
        torch.manual_seed(cfg.seed)
        rng = np.random.default_rng(cfg.seed)
        xtr, ytr = make_sequences(cfg.n_train, cfg.seq_len, rng)
        xva, yva = make_sequences(cfg.n_val, cfg.seq_len, rng)
        self.train_loader = DataLoader(TensorDataset(xtr, ytr), batch_size=cfg.batch_size, shuffle=True)
        self.val_data = (xva, yva)
        self.model = LSTMClassifier(cfg.hidden)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr)
        # halve the learning rate every epoch
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, step_size=1, gamma=cfg.lr_decay)
        self.loss_fn = nn.CrossEntropyLoss()

    def train_epoch(self):
        self.model.train()
        total, n = 0.0, 0
        for xb, yb in self.train_loader:
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            self.sched.step()
            total += loss.item() * len(yb)
            n += len(yb)
        return total / n

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        xva, yva = self.val_data
        logits = self.model(xva)
        return self.loss_fn(logits, yva).item(), (logits.argmax(1) == yva).float().mean().item()

    def fit(self):
        for epoch in range(self.cfg.epochs):
            tr = self.train_epoch()
            vl, va = self.evaluate()
            lr = self.opt.param_groups[0]["lr"]
            print(f"epoch {epoch}  lr {lr:.2e}  train_loss {tr:.4f}  val_loss {vl:.4f}  val_acc {va:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(2)
    Trainer(Config()).fit()

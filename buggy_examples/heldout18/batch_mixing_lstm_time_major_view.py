"""LSTM sequence classifier for synthetic multichannel sensor traces (which of
three time windows contains an event burst). Dataclass config, a custom
torch.utils.data.Dataset, time-major nn.LSTM, AdamW + StepLR.

Seeded bug (batch_mixing): the DataLoader yields batch-major tensors (B, T, F)
and the model converts them to the time-major layout nn.LSTM expects with
x.view(T, B, F) instead of x.transpose(0, 1). view() only reinterprets the
memory, so the "sequence" the LSTM reads for column b is stitched together
from time steps of several different samples; each prediction depends on
other samples of the batch and the event timing is scrambled.
Measured (seed 0, 300 steps): buggy  final train loss 1.099 (= ln 3), test acc 0.358;
                              fixed  final train loss 0.005, test acc 0.998.
"""
# traindebug-expect: batch_mixing
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


@dataclass
class Config:
    seed: int = 0
    n_train: int = 2400
    n_test: int = 600
    seq_len: int = 24
    n_channels: int = 4
    hidden: int = 48
    batch_size: int = 48
    epochs: int = 6
    lr: float = 4e-3
    weight_decay: float = 1e-4


class BurstDataset(Dataset):
    """Three classes: an event burst appears in the first, middle or last third."""

    def __init__(self, n, cfg, rng):
        T, C = cfg.seq_len, cfg.n_channels
        x = 0.5 * rng.standard_normal((n, T, C)).astype(np.float32)
        x += np.linspace(-0.5, 0.5, T, dtype=np.float32)[None, :, None] * rng.uniform(-1, 1, (n, 1, C)).astype(np.float32)
        y = rng.integers(0, 3, n)
        third = T // 3
        for i in range(n):
            start = y[i] * third + rng.integers(0, third - 3)
            ch = rng.integers(0, C)
            x[i, start:start + 3, ch] += rng.choice([-2.5, 2.5])
        self.x = torch.from_numpy(x)
        self.y = torch.from_numpy(y).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class BurstLSTM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.lstm = nn.LSTM(cfg.n_channels, cfg.hidden, num_layers=1)
        self.head = nn.Sequential(nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 3))

    def forward(self, x):
        batch, steps, feats = x.shape
        x = x.view(steps, batch, feats)  # nn.LSTM default layout is (T, B, F)
        out, (h, c) = self.lstm(x)
        return self.head(h[-1])


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    tot_loss, correct, n = 0.0, 0, 0
    crit = nn.CrossEntropyLoss()
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = crit(logits, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot_loss / n, correct / n


def main(cfg: Config):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    train_ds, test_ds = BurstDataset(cfg.n_train, cfg, rng), BurstDataset(cfg.n_test, cfg, rng)
    train_dl = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=True, drop_last=True)
    test_dl = DataLoader(test_ds, batch_size=200)
    model = BurstLSTM(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.6)
    for epoch in range(cfg.epochs):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        te_loss, te_acc = run_epoch(model, test_dl)
        sched.step()
        print(f"epoch {epoch + 1}: train loss {tr_loss:.4f} acc {tr_acc:.3f} | test loss {te_loss:.4f} acc {te_acc:.3f}")


if __name__ == "__main__":
    main(Config())

"""CRNN (Conv1d front end + GRU) classifier for synthetic multichannel sensor bursts.

Seeded bug (wrong_mode): the script calls model.train() once and then logs an
"epoch 0" baseline with evaluate(), which switches the model to eval mode and
never switches it back.  The whole training loop therefore runs with BatchNorm
using its initial running statistics (mean 0 / var 1, never updated) and
with dropout disabled.
Measured (this file vs. a copy with model.train() at the top of each epoch):
final val accuracy 0.263 (buggy, chance level; train loss stuck at 1.384-1.387,
i.e. ln 4) vs 1.000 (fixed; train loss 0.013) after 12 epochs / 240 steps.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(7)
rng = np.random.default_rng(7)

N_CLASSES = 4
SEQ_LEN = 64


def synth_bursts(n):
    t = np.arange(SEQ_LEN)
    X = np.zeros((n, 3, SEQ_LEN), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, size=n)
    for i in range(n):
        freq = 0.04 + 0.035 * y[i]
        start = rng.integers(0, SEQ_LEN // 2)
        env = np.zeros(SEQ_LEN)
        env[start:start + SEQ_LEN // 2] = 1.0
        X[i, 0] = 40.0 * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.28)) * env
        X[i, 0] += rng.normal(0, 15.0, SEQ_LEN) + 120.0          # sensor offset
        X[i, 1] = 300.0 + np.cumsum(rng.normal(0, 4.0, SEQ_LEN))  # slow drift
        X[i, 2] = rng.normal(0, 1.0, SEQ_LEN)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class CRNN(nn.Module):
    def __init__(self, in_ch=3, n_classes=N_CLASSES, hidden=32):
        super().__init__()
        self.front = nn.Sequential(
            nn.Conv1d(in_ch, 16, 5, padding=2), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
        )
        self.rnn = nn.GRU(32, hidden, batch_first=True)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h = self.front(x)                 # (B, C, T')
        out, _ = self.rnn(h.transpose(1, 2))
        return self.head(self.drop(out[:, -1]))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    for xb, yb in loader:
        logits = model(xb)
        loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss_sum / total, correct / total


def main():
    Xtr, ytr = synth_bursts(960)
    Xva, yva = synth_bursts(400)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=48, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=200)

    model = CRNN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)

    model.train()
    vl, va = evaluate(model, val_loader)
    print(f"epoch 0 | val loss {vl:.3f} acc {va:.3f}")
    for epoch in range(1, 13):
        running = 0.0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            running += loss.item() * len(yb)
        sched.step()
        vl, va = evaluate(model, val_loader)
        print(f"epoch {epoch:2d} | train loss {running / len(ytr):.3f} | val loss {vl:.3f} acc {va:.3f}")


if __name__ == "__main__":
    main()

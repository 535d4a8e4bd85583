"""GRU gesture classifier on synthetic accelerometer windows (argparse config,
custom Dataset, RMSprop, gradient clipping).

Seeded bug (unshuffled_data): the windows are stored session after session,
and each session holds a single gesture. The DataLoader uses shuffle=False on
purpose ("time series -> keep temporal order"), even though the windows are
independent samples. Every batch therefore holds one class, and an epoch walks
through the classes one after another.

Measured (5 epochs, 250 steps): the low training loss is misleading (0.096 at the
end, because each batch holds one class), and val acc by epoch is only
0.453 / 0.603 / 0.698 / 0.795 / 0.757. With shuffle=True: val acc 0.978 after the first epoch and
0.965 at the end.
"""
# traindebug-expect: unshuffled_data
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

GESTURES = ["circle", "shake", "swipe", "tap", "twist"]


def record_session(gesture_id, n_reps, seq_len, rng):
    """One recording session: a participant repeats a single gesture n_reps times.
    Returns (n_reps, seq_len, 3) accelerometer windows."""
    t = np.linspace(0, 1, seq_len)[None, :, None]
    freq = 1.5 + 0.35 * gesture_id
    phase = np.array([0.0, 0.6 + 0.25 * gesture_id, 1.4])[None, None, :]
    jitter = rng.uniform(-0.15, 0.15, size=(n_reps, 1, 1))
    sig = 0.7 * np.sin(2 * np.pi * (freq + jitter) * t + phase)
    sig = sig + rng.normal(0, 0.6, size=(n_reps, seq_len, 3))
    return sig.astype(np.float32)


class SessionDataset(Dataset):
    """Windows from all sessions, kept in recording order."""

    def __init__(self, reps_per_gesture, seq_len, rng):
        xs, ys = [], []
        for g in range(len(GESTURES)):
            xs.append(record_session(g, reps_per_gesture, seq_len, rng))
            ys.append(np.full(reps_per_gesture, g))
        self.x = torch.from_numpy(np.concatenate(xs))
        self.y = torch.from_numpy(np.concatenate(ys)).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class GRUClassifier(nn.Module):
    def __init__(self, n_in=3, hidden=48, n_classes=len(GESTURES)):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


def evaluate(model, dl):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in dl:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return correct / total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=320, help="training windows per gesture")
    p.add_argument("--seq-len", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train = SessionDataset(args.reps, args.seq_len, rng)
    val = SessionDataset(80, args.seq_len, rng)

    # sensor windows are a time series -> keep them in temporal order
    train_dl = DataLoader(train, batch_size=args.batch_size, shuffle=False)
    val_dl = DataLoader(val, batch_size=200)

    model = GRUClassifier()
    opt = torch.optim.RMSprop(model.parameters(), lr=args.lr)
    crit = nn.CrossEntropyLoss()
    step = 0
    for epoch in range(args.epochs):
        running, seen = 0.0, 0
        for x, y in train_dl:
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            running += loss.item() * len(y)
            seen += len(y)
            step += 1
        print(f"epoch {epoch} steps {step} train_loss {running / seen:.4f} "
              f"val_acc {evaluate(model, val_dl):.3f}")


if __name__ == "__main__":
    main()

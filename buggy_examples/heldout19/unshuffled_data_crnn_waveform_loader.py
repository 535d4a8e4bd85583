"""Conv1d + GRU (CRNN) classifier for five synthetic noisy waveform types, argparse config.

Seeded bug (unshuffled_data): WaveformSet concatenates the samples class by class
and the training DataLoader uses `shuffle=False`, so every batch holds a single
class and each epoch walks through the classes in order (the model keeps
drifting towards whichever class it saw last).
Measured after 200 steps: buggy final train loss 1.07, test acc 0.60 (0.21-0.60 across epochs);
fixed (`shuffle=True`): train loss 0.09, test acc 0.99.
"""
# traindebug-expect: unshuffled_data
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="CRNN waveform classifier")
    p.add_argument("--per-class", type=int, default=320)
    p.add_argument("--seq-len", type=int, default=80)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=5)
    return p.parse_args()


def synth_class(kind, n, seq_len, rng):
    t = np.linspace(0, 1, seq_len, dtype=np.float32)[None, :]
    f = rng.uniform(3, 6, size=(n, 1))
    ph = rng.uniform(0, 2 * np.pi, size=(n, 1))
    if kind == 0:
        x = np.sin(2 * np.pi * f * t + ph)
    elif kind == 1:
        x = np.sign(np.sin(2 * np.pi * f * t + ph))
    elif kind == 2:
        x = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
    elif kind == 3:
        x = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
    else:
        x = np.sin(2 * np.pi * f * t + ph) * np.exp(-3 * t)
    x = x + 0.35 * rng.normal(size=x.shape)
    return x.astype(np.float32)


class WaveformSet(Dataset):
    def __init__(self, per_class, seq_len, rng, n_classes=5):
        xs, ys = [], []
        for k in range(n_classes):
            xs.append(synth_class(k, per_class, seq_len, rng))
            ys.append(np.full(per_class, k, dtype=np.int64))
        self.x = torch.from_numpy(np.concatenate(xs))[:, None, :]
        self.y = torch.from_numpy(np.concatenate(ys))

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class CRNN(nn.Module):
    def __init__(self, n_classes=5, ch=16, hidden=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, ch, 5, padding=2), nn.ReLU(),
            nn.Conv1d(ch, ch, 5, padding=2, stride=2), nn.ReLU(),
        )
        self.gru = nn.GRU(ch, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        f = self.conv(x).transpose(1, 2)        # (B, T', ch)
        _, h = self.gru(f)
        return self.head(h[-1])


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return correct / total


def main():
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    train_ds = WaveformSet(args.per_class, args.seq_len, rng)
    test_ds = WaveformSet(100, args.seq_len, rng)
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=False, drop_last=True)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = CRNN()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    crit = nn.CrossEntropyLoss()
    step = 0
    for epoch in range(args.epochs):
        tot = 0.0
        for x, y in train_loader:
            loss = crit(model(x), y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            tot += loss.item()
            step += 1
        print(f"epoch {epoch}  loss {tot / len(train_loader):.4f}  test_acc {evaluate(model, test_loader):.3f}")
    print(f"done after {step} steps")


if __name__ == "__main__":
    main()

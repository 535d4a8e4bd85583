"""Human-activity recognition from simulated accelerometer windows with a small
1-D CNN (argparse config, SGD with momentum).

Seeded bug (unshuffled_data): the training windows are built session by session
(all "idle", then all "walk", "run", "stairs") and the DataLoader keeps that
order (shuffle=False, "recording order"), so every batch contains a single class
and the model is dragged from one class to the next within each epoch.
Measured (8 epochs, 304 SGD steps): buggy epoch loss 1.51 at the end, test
accuracy 0.250 (predicts one class for everything); fixed (shuffle=True) loss
0.11, test accuracy 1.000.
"""
# traindebug-expect: unshuffled_data
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ("idle", "walk", "run", "stairs")


def record_session(activity, n_windows, length, rng):
    """Simulated accelerometer windows recorded during one activity session."""
    t = np.arange(length) / 50.0
    out = np.empty((n_windows, 1, length), dtype=np.float32)
    for i in range(n_windows):
        phase = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(0.7, 1.3)
        if activity == 0:
            sig = 0.15 * rng.normal(size=length)
        elif activity == 1:
            sig = amp * np.sin(2 * np.pi * 1.8 * t + phase)
        elif activity == 2:
            sig = amp * np.sign(np.sin(2 * np.pi * 2.8 * t + phase)) * 0.8
        else:
            sig = amp * np.sin(2 * np.pi * 1.2 * t + phase) + 0.5 * np.sin(2 * np.pi * 3.6 * t)
        out[i, 0] = sig + 0.35 * rng.normal(size=length)
    return out


def build_split(n_per_class, length, rng):
    xs, ys = [], []
    for c in range(len(CLASSES)):
        xs.append(record_session(c, n_per_class, length, rng))
        ys.append(np.full(n_per_class, c))
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys)).long()


class ActivityNet(nn.Module):
    def __init__(self, n_classes, width=16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, width, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(width, width * 2, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(width * 2, width * 2, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.classifier = nn.Linear(width * 2, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    per_class = np.zeros(len(CLASSES))
    with torch.no_grad():
        for x, y in loader:
            pred = model(x).argmax(1)
            correct += (pred == y).sum().item()
            total += len(y)
            for c in range(len(CLASSES)):
                per_class[c] += ((pred == c) & (y == c)).sum().item()
    return correct / total, per_class


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--windows-per-session", type=int, default=300)
    p.add_argument("--length", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_tr, y_tr = build_split(args.windows_per_session, args.length, rng)
    x_te, y_te = build_split(100, args.length, rng)

    # windows are kept in recording order (sessions are contiguous in time)
    train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=args.batch_size, shuffle=False)
    test_loader = DataLoader(TensorDataset(x_te, y_te), batch_size=256)

    model = ActivityNet(len(CLASSES))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for x, y in train_loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        acc, per_class = evaluate(model, test_loader)
        print(f"epoch {epoch + 1}  loss {total / len(x_tr):.4f}  test_acc {acc:.3f}  "
              f"hits/class {per_class.astype(int).tolist()}")


if __name__ == "__main__":
    main()

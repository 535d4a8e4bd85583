"""1-D dilated CNN classifying noisy waveform families, optimizer chosen by name.

Seeded bug (lr_too_high): the optimizer is built from a string via
getattr(torch.optim, name) and the default was switched to RMSprop (momentum 0.9)
while keeping the learning rate 0.01 that had been tuned for plain SGD.
RMSprop's per-parameter normalisation makes these steps far too large: the loss
spikes in the first epoch and the ReLU network collapses to chance.
Measured: buggy (lr=0.01) epoch-0 train loss 7.86 (chance is ln 4 = 1.386), then
stuck at ~1.39, final val_acc 0.265; fixed (lr=1e-3) final train loss 0.012,
val_loss 0.024, val_acc 0.988.
"""
# traindebug-expect: lr_too_high
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def make_signals(n, length=96, seed=0):
    """Noisy 1-D waveforms; class = waveform family (sine / square / saw / chirp)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length, dtype=np.float32)
    X = np.empty((n, 1, length), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        f = rng.uniform(2, 6)
        ph = rng.uniform(0, 2 * math.pi)
        if y[i] == 0:
            s = np.sin(2 * math.pi * f * t + ph)
        elif y[i] == 1:
            s = np.sign(np.sin(2 * math.pi * f * t + ph))
        elif y[i] == 2:
            s = 2 * ((f * t + ph / (2 * math.pi)) % 1.0) - 1
        else:
            s = np.sin(2 * math.pi * (f * t + 3 * t * t) + ph)
        X[i, 0] = s * rng.uniform(0.6, 1.4) + rng.normal(0, 0.35, size=length)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class WaveNet1d(nn.Module):
    def __init__(self, channels=24, n_classes=4):
        super().__init__()
        self.c1 = nn.Conv1d(1, channels, 7, padding=3)
        self.c2 = nn.Conv1d(channels, channels, 5, padding=2, dilation=1)
        self.c3 = nn.Conv1d(channels, channels, 5, padding=4, dilation=2)
        self.fc = nn.Linear(channels * 2, n_classes)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool1d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        x = torch.cat([x.mean(-1), x.amax(-1)], dim=1)
        return self.fc(x)


def build_optimizer(name, params, lr, **extra):
    cls = getattr(torch.optim, name)
    return cls(params, lr=lr, **extra)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--optim", default="RMSprop")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=3)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    Xtr, ytr = make_signals(1200, seed=args.seed)
    Xva, yva = make_signals(400, seed=args.seed + 100)

    model = WaveNet1d()
    opt = build_optimizer(args.optim, model.parameters(), args.lr, momentum=args.momentum)

    n = len(Xtr)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        tot, cnt = 0.0, 0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(Xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(idx)
            cnt += len(idx)
        model.eval()
        with torch.no_grad():
            out = model(Xva)
            vl = F.cross_entropy(out, yva).item()
            acc = (out.argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch:2d} step {step:4d}  train_loss {tot / cnt:.4f}  val_loss {vl:.4f}  val_acc {acc:.3f}")


if __name__ == "__main__":
    main()

"""1-D CNN classifying synthetic waveforms (sine/square/sawtooth/noise bursts), argparse config, Adam.

Seeded bug (lr_too_high): the "linear scaling rule" is applied as lr = base_lr * batch_size,
forgetting to divide by the reference batch size of 32 that --base-lr is quoted for. With the
defaults the optimizer runs Adam at lr=0.384 instead of 0.012 (32x too large).

Measured (10 epochs, 130 steps): buggy run spikes to a batch loss of 911 in epoch 0, then
oscillates (epoch-mean loss 0.90 -> 1.29, per-epoch max up to 3.4), final test accuracy 0.44.
Fixed copy (lr = base_lr * batch_size / 32 = 0.012): final loss 0.010, test accuracy 1.000.
"""
# traindebug-expect: lr_too_high
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description="1-D CNN waveform classifier")
    p.add_argument("--n-train", type=int, default=1600)
    p.add_argument("--length", type=int, default=96)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--base-lr", type=float, default=3e-3,
                   help="learning rate for a reference batch size of 32; scaled linearly")
    p.add_argument("--seed", type=int, default=3)
    return p.parse_args()


def synth_waveforms(n, length, rng):
    """Four classes: sine, square, sawtooth, noise bursts; random freq/phase/noise."""
    t = np.arange(length, dtype=np.float32) / length
    y = rng.integers(0, 4, n)
    x = np.zeros((n, 1, length), dtype=np.float32)
    for i, c in enumerate(y):
        f = rng.uniform(3, 8)
        ph = rng.uniform(0, 2 * np.pi)
        if c == 0:
            s = np.sin(2 * np.pi * f * t + ph)
        elif c == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        elif c == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
        else:
            s = rng.normal(0, 1, length) * (rng.random(length) < 0.2)
        x[i, 0] = s + rng.normal(0, 0.4, length)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


class WaveNetLite(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.c1 = nn.Conv1d(1, 16, 7, padding=3)
        self.c2 = nn.Conv1d(16, 32, 5, padding=2)
        self.c3 = nn.Conv1d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.c1(x)), 2)
        x = F.max_pool1d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        return self.fc(x.mean(-1))


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    rng = np.random.default_rng(args.seed)
    xtr, ytr = synth_waveforms(args.n_train, args.length, rng)
    xte, yte = synth_waveforms(400, args.length, rng)

    model = WaveNetLite()
    lr = args.base_lr * args.batch_size
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    print(f"batch size {args.batch_size} -> lr {lr:g}")

    n = xtr.shape[0]
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        losses = []
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch}  loss mean {np.mean(losses):.3f}  min {np.min(losses):.3f}  "
              f"max {np.max(losses):.3f}  test_acc {acc:.3f}")


if __name__ == "__main__":
    main()

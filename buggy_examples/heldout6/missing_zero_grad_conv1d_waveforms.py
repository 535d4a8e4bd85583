"""1-D CNN classifying noisy synthetic waveforms (sine / square / saw /
triangle) with a custom Dataset, DataLoader and SGD + momentum.

Seeded bug (missing_zero_grad): optimizer.zero_grad() was hoisted out of the
batch loop and runs once per epoch, so within an epoch every backward() adds
to the gradients of all previous batches. By the end of an epoch each step
applies the sum of ~50 batch gradients (on top of momentum), so the effective
step size keeps growing and training diverges.
Measured (5 epochs x 50 steps): train loss 1.49 -> 2.93 -> 9.79 -> 20.9 ->
38.6, val loss 44.7, val accuracy 0.24-0.27 (chance 0.25).
Fixed (zero_grad before every backward): train loss 1.38 -> 0.30, val loss
0.134, val accuracy 0.953.
"""
# traindebug-expect: missing_zero_grad
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class WaveformDataset(Dataset):
    """Noisy sine / square / sawtooth / triangle waves with random frequency and phase."""

    KINDS = ("sine", "square", "saw", "triangle")

    def __init__(self, n, length=128, noise=0.35, seed=0):
        rng = np.random.default_rng(seed)
        t = np.linspace(0, 1, length, dtype=np.float32)
        self.x = np.empty((n, 1, length), dtype=np.float32)
        self.y = rng.integers(0, len(self.KINDS), size=n)
        for i in range(n):
            f = rng.uniform(2, 8)
            ph = rng.uniform(0, 2 * math.pi)
            u = 2 * math.pi * f * t + ph
            k = self.y[i]
            if k == 0:
                s = np.sin(u)
            elif k == 1:
                s = np.sign(np.sin(u))
            elif k == 2:
                s = 2 * ((u / (2 * math.pi)) % 1.0) - 1
            else:
                s = 2 * np.abs(2 * ((u / (2 * math.pi)) % 1.0) - 1) - 1
            self.x[i, 0] = s + noise * rng.standard_normal(length)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.y[i])


class WaveNet1D(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        return self.fc(x.mean(-1))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


def main():
    torch.manual_seed(1)
    train_dl = DataLoader(WaveformDataset(1600, seed=1), batch_size=32, shuffle=True)
    val_dl = DataLoader(WaveformDataset(400, seed=2), batch_size=200)
    model = WaveNet1D()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)

    for epoch in range(5):
        model.train()
        optimizer.zero_grad()
        running = []
        for step, (xb, yb) in enumerate(train_dl):
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            running.append(loss.item())
        val_loss, val_acc = evaluate(model, val_dl)
        print(f"epoch {epoch + 1} train_loss {np.mean(running):.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.3f}")


if __name__ == "__main__":
    main()

"""Seeded bug: custom init draws every conv / linear weight from N(0, 1)
(`nn.init.normal_(m.weight)` with the default std=1.0) instead of a fan-in
scaled init. With fan-ins of 5, 80, 160, 512 and 64, each layer multiplies the
activation scale by ~sqrt(fan_in/2), so the logits at init are in the
ten-thousands and the initial cross-entropy is huge instead of ln(4) = 1.386.
Measured (seed 0): step-0 loss 14326 with logit std 12571; after 144 Adam
steps train loss is still ~630 (632-634 depending on thread count), test
acc 0.68. With the default PyTorch init:
step-0 loss 1.379 (logit std 0.1), final train loss 0.002, test acc 1.00.
"""
# traindebug-expect: bad_init_scale
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)

N_CLASSES = 4
LENGTH = 128


def synth_signals(n):
    """Four kinds of noisy 1-D waveforms: sine, square, sawtooth, chirp."""
    t = np.linspace(0, 1, LENGTH, dtype=np.float32)
    X = np.empty((n, 1, LENGTH), dtype=np.float32)
    y = np.random.randint(0, N_CLASSES, size=n)
    for i in range(n):
        f = np.random.uniform(3, 8)
        ph = np.random.uniform(0, 2 * np.pi)
        if y[i] == 0:
            s = np.sin(2 * np.pi * f * t + ph)
        elif y[i] == 1:
            s = np.sign(np.sin(2 * np.pi * f * t + ph))
        elif y[i] == 2:
            s = 2 * ((f * t + ph / (2 * np.pi)) % 1.0) - 1
        else:
            s = np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph)
        X[i, 0] = s + 0.3 * np.random.randn(LENGTH)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class ConvNet1D(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.fc = nn.Linear(32 * 16, 64)
        self.cls = nn.Linear(64, N_CLASSES)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                nn.init.normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.max_pool1d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.fc(x.flatten(1)))
        return self.cls(x)


def main():
    xtr, ytr = synth_signals(1536)
    xte, yte = synth_signals(512)
    model = ConvNet1D()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    print(f"chance loss ln({N_CLASSES}) = {math.log(N_CLASSES):.3f}")
    step = 0
    for epoch in range(6):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 64):
            idx = perm[i:i + 64]
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            if step == 0:
                print(f"init logit std {logits.std().item():.1f}")
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 24 == 0:
                print(f"step {step:4d} loss {loss.item():.4f}")
            step += 1
    with torch.no_grad():
        tr_loss = F.cross_entropy(model(xtr), ytr).item()
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"final train loss {tr_loss:.4f}  test acc {acc:.3f}  ({step} steps)")


if __name__ == "__main__":
    main()

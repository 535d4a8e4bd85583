"""Seeded bug (bad_init_scale): the He-normal init uses `fan_in = m.weight.size(1)`, which for
Conv1d is only in_channels and ignores the kernel width (9), so each conv layer's weights are
3x too large; through four ReLU conv layers the logits at init have std ~220 and the initial
cross-entropy is ~296 (chance is ln 4 = 1.39; the fixed init gives 3.75).
Measured (8 epochs, 152 Adam steps): buggy epoch-1 train loss 185, final val loss 1.05 / acc 0.865;
fixed copy (`fan_in = m.weight[0].numel()`): final val loss 0.098 / acc 0.973.
"""
# traindebug-expect: bad_init_scale
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_signals(n, length=96, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length, dtype=np.float32)
    y = rng.integers(0, n_classes, size=n)
    X = np.empty((n, length), dtype=np.float32)
    for i, c in enumerate(y):
        f = 3 + 2.5 * c + rng.normal(0, 0.6)
        phase = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(0.6, 1.4)
        s = amp * np.sin(2 * np.pi * f * t + phase)
        if c % 2 == 1:
            center = rng.uniform(0.2, 0.8)
            s += 1.2 * np.exp(-((t - center) ** 2) / 0.002)
        X[i] = s + rng.normal(0, 0.5, size=length)
    return torch.from_numpy(X).unsqueeze(1), torch.from_numpy(y)


class SignalNet(nn.Module):
    def __init__(self, channels=16, kernel=9, depth=4, n_classes=4):
        super().__init__()
        convs, c_in = [], 1
        for _ in range(depth):
            convs.append(nn.Conv1d(c_in, channels, kernel, padding=kernel // 2))
            c_in = channels
        self.convs = nn.ModuleList(convs)
        self.head = nn.Linear(channels, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        # He-normal for the ReLU stack
        for m in self.modules():
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                fan_in = m.weight.size(1)
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / fan_in))
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for i, conv in enumerate(self.convs):
            x = F.relu(conv(x))
            if i % 2 == 1:
                x = F.max_pool1d(x, 2)
        return self.head(x.mean(-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--n-train", type=int, default=1200)
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    Xtr, ytr = make_signals(args.n_train, seed=args.seed)
    Xva, yva = make_signals(400, seed=args.seed + 1)

    model = SignalNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(Xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            out = model(Xva)
            vloss = F.cross_entropy(out, yva).item()
            acc = (out.argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch + 1} train {np.mean(losses):.4f} val {vloss:.4f} acc {acc:.3f}")


if __name__ == "__main__":
    main()

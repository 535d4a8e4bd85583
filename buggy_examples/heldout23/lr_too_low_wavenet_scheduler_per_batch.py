"""Gated dilated causal 1-D CNN (small WaveNet-style) classifying noisy waveform families.

Seeded bug (lr_too_low): the StepLR scheduler (step_size=5, gamma=0.5) is meant to be
stepped once per epoch but `sched.step()` is called inside the batch loop, so the
learning rate halves every 5 optimizer steps: 3e-3 -> ~1e-4 after the first epoch and
~1e-12 by the end (160 steps). Training stalls almost immediately.

Measured (16 epochs, 160 steps): buggy train loss 1.375 -> 1.365, val acc 0.367
(ln 4 = 1.386); fixed copy (scheduler stepped per epoch) train loss 1.37 -> 0.70,
val acc 0.68.
"""
# traindebug-expect: lr_too_low
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEQ_LEN = 64
N_CLASSES = 4


def make_waveforms(n, rng):
    """Four families of noisy periodic signals with random frequency / phase."""
    t = np.arange(SEQ_LEN, dtype=np.float32)
    X = np.zeros((n, 1, SEQ_LEN), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, size=n)
    for i in range(n):
        f = rng.uniform(0.03, 0.12)
        ph = rng.uniform(0, 2 * math.pi)
        arg = 2 * math.pi * f * t + ph
        if y[i] == 0:
            s = np.sin(arg)
        elif y[i] == 1:
            s = np.sign(np.sin(arg))
        elif y[i] == 2:
            s = 2.0 * ((arg / (2 * math.pi)) % 1.0) - 1.0
        else:
            s = 2.0 * np.abs(2.0 * ((arg / (2 * math.pi)) % 1.0) - 1.0) - 1.0
        X[i, 0] = s * rng.uniform(0.6, 1.4) + 0.25 * rng.standard_normal(SEQ_LEN)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class CausalConv1d(nn.Conv1d):
    def __init__(self, cin, cout, k, dilation=1):
        super().__init__(cin, cout, k, dilation=dilation)
        self.left_pad = (k - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self.left_pad, 0)))


class GatedResidualBlock(nn.Module):
    def __init__(self, channels, skip_channels, dilation):
        super().__init__()
        self.filt = CausalConv1d(channels, channels, 2, dilation)
        self.gate = CausalConv1d(channels, channels, 2, dilation)
        self.res = nn.Conv1d(channels, channels, 1)
        self.skip = nn.Conv1d(channels, skip_channels, 1)

    def forward(self, x):
        z = torch.tanh(self.filt(x)) * torch.sigmoid(self.gate(x))
        return x + self.res(z), self.skip(z)


class TinyWaveNet(nn.Module):
    def __init__(self, channels=16, skip_channels=24, dilations=(1, 2, 4, 8), n_classes=N_CLASSES):
        super().__init__()
        self.inp = CausalConv1d(1, channels, 2)
        self.blocks = nn.ModuleList([GatedResidualBlock(channels, skip_channels, d) for d in dilations])
        self.post1 = nn.Conv1d(skip_channels, skip_channels, 1)
        self.post2 = nn.Conv1d(skip_channels, n_classes, 1)

    def forward(self, x):
        h = self.inp(x)
        skips = 0
        for blk in self.blocks:
            h, s = blk(h)
            skips = skips + s
        out = self.post2(F.relu(self.post1(F.relu(skips))))
        return out.mean(dim=-1)  # global average pool over time -> logits


def run():
    rng = np.random.default_rng(0)
    Xtr, ytr = make_waveforms(640, rng)
    Xva, yva = make_waveforms(256, rng)

    model = TinyWaveNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)

    batch_size = 64
    n_epochs = 16
    n = Xtr.shape[0]
    for epoch in range(n_epochs):
        model.train()
        perm = torch.randperm(n)
        tot, cnt = 0.0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            logits = model(Xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
            cnt += len(idx)
        model.eval()
        with torch.no_grad():
            va_logits = model(Xva)
            va_loss = F.cross_entropy(va_logits, yva).item()
            va_acc = (va_logits.argmax(1) == yva).float().mean().item()
        if epoch % 2 == 0 or epoch == n_epochs - 1:
            print(f"epoch {epoch:2d} train_loss {tot / cnt:.4f} val_loss {va_loss:.4f} "
                  f"val_acc {va_acc:.3f} lr {opt.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    run()

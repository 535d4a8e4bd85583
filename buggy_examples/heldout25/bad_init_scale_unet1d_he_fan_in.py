"""1-D U-Net (conv encoder/decoder with skip connections, no normalisation layers)
for per-timestep segmentation of noisy traces into background / chirp burst /
square pulse. Adam lr 1e-3, 8 epochs x 20 steps.

Seeded bug: the He-normal init helper takes fan_in = m.weight.size(1), which for
Conv1d is only in_channels; the kernel size (7) is left out. Every conv's std is
sqrt(7) = 2.6x too large, and over the 8 stacked convs the logits come out
hundreds of times too large.

Measured: loss on the first batch at init 243 (ln 3 = 1.10); epoch-0 train loss
28.6; the model then collapses to predicting background everywhere: after 160
steps val loss 0.976, val per-timestep acc 0.751 (= share of background timesteps).
With fan_in = in_channels * kernel_size: init loss 1.12, final val loss 0.270,
val acc 0.908.
"""
# traindebug-expect: bad_init_scale
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)

SEQ_LEN = 192
N_CLASSES = 3  # 0 background, 1 chirp burst, 2 square pulse


class BurstSegmentationDataset(Dataset):
    """Noisy 1-D traces with chirp bursts and square pulses; per-sample labels."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        t = np.arange(SEQ_LEN)
        self.x = np.zeros((n, 1, SEQ_LEN), dtype=np.float32)
        self.y = np.zeros((n, SEQ_LEN), dtype=np.int64)
        for k in range(n):
            sig = 0.5 * np.sin(2 * np.pi * t / rng.uniform(40, 120) + rng.uniform(0, 6.3))
            lab = np.zeros(SEQ_LEN, dtype=np.int64)
            for _ in range(rng.integers(1, 4)):
                kind = rng.integers(1, 3)
                width = rng.integers(12, 40)
                start = rng.integers(0, SEQ_LEN - width)
                seg = np.arange(width)
                if kind == 1:
                    f0 = rng.uniform(0.15, 0.3)
                    sig[start:start + width] += np.sin(2 * np.pi * (f0 * seg + 0.004 * seg ** 2))
                else:
                    sig[start:start + width] += rng.choice([-1.0, 1.0]) * 0.9
                lab[start:start + width] = kind
            sig += rng.normal(0, 0.35, SEQ_LEN)
            self.x[k, 0] = sig
            self.y[k] = lab

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), torch.from_numpy(self.y[i])


def conv_block(cin, cout, k=7):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2), nn.ReLU(inplace=True))


class UNet1d(nn.Module):
    def __init__(self, base=8, n_classes=N_CLASSES):
        super().__init__()
        c1, c2, c3 = base, 2 * base, 4 * base
        self.enc1 = conv_block(1, c1)
        self.enc2 = conv_block(c1, c2)
        self.enc3 = conv_block(c2, c3)
        self.mid = conv_block(c3, c3)
        self.up3 = conv_block(c3 + c3, c2)
        self.up2 = conv_block(c2 + c2, c1)
        self.up1 = conv_block(c1 + c1, c1)
        self.head = nn.Conv1d(c1, n_classes, 1)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Conv1d):
            fan_in = m.weight.size(1)
            nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / fan_in))
            nn.init.zeros_(m.bias)

    def forward(self, x):
        e1 = self.enc1(x)                      # L
        e2 = self.enc2(F.max_pool1d(e1, 2))    # L/2
        e3 = self.enc3(F.max_pool1d(e2, 2))    # L/4
        m = self.mid(F.max_pool1d(e3, 2))      # L/8
        d3 = self.up3(torch.cat([F.interpolate(m, scale_factor=2), e3], 1))
        d2 = self.up2(torch.cat([F.interpolate(d3, scale_factor=2), e2], 1))
        d1 = self.up1(torch.cat([F.interpolate(d2, scale_factor=2), e1], 1))
        return self.head(d1)


def run_epoch(model, loader, opt=None):
    train = opt is not None
    model.train(train)
    tot, correct, count, nb = 0.0, 0, 0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            if train:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot += loss.item()
            nb += 1
            correct += (logits.argmax(1) == yb).sum().item()
            count += yb.numel()
    return tot / nb, correct / count


def main():
    train_ds = BurstSegmentationDataset(640, seed=1)
    val_ds = BurstSegmentationDataset(200, seed=2)
    train_dl = DataLoader(train_ds, batch_size=32, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=100)

    model = UNet1d()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    with torch.no_grad():
        xb, yb = next(iter(train_dl))
        print(f"init: loss {F.cross_entropy(model(xb), yb).item():.3f} (ln 3 = {math.log(3):.3f})")

    t0 = time.time()
    for epoch in range(8):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        va_loss, va_acc = run_epoch(model, val_dl)
        print(f"epoch {epoch} train loss {tr_loss:.4f} acc {tr_acc:.3f} | "
              f"val loss {va_loss:.4f} acc {va_acc:.3f}")
    print(f"time {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()

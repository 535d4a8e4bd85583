"""1-D U-Net (two-level encoder/decoder with skip connections) for per-sample
segmentation of generated signals into background / square pulse / sine
burst, trained with a small Trainer class.

Seeded bug: the custom initializer copies a transformer-style init
(trunc_normal std=0.02) for every conv and sets all conv biases to -0.1. With
weights that small the pre-activations are dominated by the negative bias, so
almost every ReLU outputs zero for every input and receives no gradient.

Measured (12 epochs, 180 Adam steps): buggy run has 91% of ReLU channels
dead on a whole validation batch after training, train loss only crawls
1.08 -> 0.86 (the output conv's bias learning class priors), val mIoU 0.000.
Same script with zero biases: 29% dead, train loss 1.08 -> 0.35, val mIoU
0.29 (with +0.1 biases: 4% dead, mIoU 0.43).
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEQ = 96
N_CLASSES = 3  # 0 background, 1 square pulse, 2 sine burst


class PulseDataset(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.x = np.zeros((n, 1, SEQ), np.float32)
        self.y = np.zeros((n, SEQ), np.int64)
        t = np.arange(SEQ)
        for i in range(n):
            sig = 0.3 * rng.standard_normal(SEQ)
            for _ in range(rng.integers(1, 4)):
                kind = rng.integers(1, 3)
                w = rng.integers(8, 24)
                s = rng.integers(0, SEQ - w)
                if kind == 1:
                    sig[s:s + w] += rng.uniform(0.8, 1.5)
                else:
                    sig[s:s + w] += np.sin(2 * np.pi * (t[s:s + w] - s) / rng.uniform(3, 6))
                self.y[i, s:s + w] = kind
            self.x[i, 0] = sig

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), torch.from_numpy(self.y[i])


def block(cin, cout):
    return nn.Sequential(
        nn.Conv1d(cin, cout, 5, padding=2), nn.ReLU(),
        nn.Conv1d(cout, cout, 5, padding=2), nn.ReLU(),
    )


class UNet1D(nn.Module):
    def __init__(self, ch=(8, 16, 32)):
        super().__init__()
        self.enc1 = block(1, ch[0])
        self.enc2 = block(ch[0], ch[1])
        self.mid = block(ch[1], ch[2])
        self.up2 = nn.ConvTranspose1d(ch[2], ch[1], 2, stride=2)
        self.dec2 = block(2 * ch[1], ch[1])
        self.up1 = nn.ConvTranspose1d(ch[1], ch[0], 2, stride=2)
        self.dec1 = block(2 * ch[0], ch[0])
        self.out = nn.Conv1d(ch[0], N_CLASSES, 1)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Conv1d, nn.ConvTranspose1d)):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.constant_(m.bias, -0.1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool1d(e1, 2))
        m = self.mid(F.max_pool1d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(m), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.out(d1)


class Trainer:
    def __init__(self, model, lr=2e-3, epochs=12):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.epochs = epochs
        self.history = []

    def run_epoch(self, loader, train):
        self.model.train(train)
        tot = n = 0
        inter = np.zeros(N_CLASSES)
        union = np.zeros(N_CLASSES)
        with torch.set_grad_enabled(train):
            for x, y in loader:
                logits = self.model(x)
                loss = F.cross_entropy(logits, y)
                if train:
                    self.opt.zero_grad()
                    loss.backward()
                    self.opt.step()
                tot += loss.item() * len(x)
                n += len(x)
                pred = logits.argmax(1)
                for c in range(1, N_CLASSES):
                    inter[c] += ((pred == c) & (y == c)).sum().item()
                    union[c] += ((pred == c) | (y == c)).sum().item()
        miou = float(np.mean(inter[1:] / np.maximum(union[1:], 1)))
        return tot / n, miou

    def fit(self, train_loader, val_loader):
        for ep in range(self.epochs):
            tr_loss, tr_iou = self.run_epoch(train_loader, True)
            va_loss, va_iou = self.run_epoch(val_loader, False)
            self.history.append((tr_loss, va_loss, va_iou))
            print(f"ep {ep:2d} train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_mIoU {va_iou:.3f}")


train_dl = DataLoader(PulseDataset(480, 1), batch_size=32, shuffle=True)
val_dl = DataLoader(PulseDataset(120, 2), batch_size=80)
trainer = Trainer(UNet1D(), lr=3e-3, epochs=12)
trainer.fit(train_dl, val_dl)

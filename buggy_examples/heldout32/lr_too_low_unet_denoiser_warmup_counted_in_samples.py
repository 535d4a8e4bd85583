"""
Denoising U-Net-like conv net on the 8x8 digits: encoder (two 3x3 convs), strided down-conv,
bottleneck conv, transposed-conv up-sampling, concatenated skip connection, decoder conv and a
sigmoid output. Gaussian noise (sigma 0.35, clamped to [0, 1]) is added on the fly; MSE against
the clean image. Adam lr 2e-3, DataLoader batch 32, 7 epochs (308 steps), a linear warm-up over
"2 epochs" via LambdaLR stepped every batch, argparse config.

Seeded bug: the warm-up length is computed as warmup_epochs * len(train_set) (samples) instead of
warmup_epochs * len(loader) (batches), so the "2-epoch" warm-up lasts 2800 steps, ~9x longer
than the whole run. The learning rate never gets above 2.2e-4 (11% of the intended value) and
spends most of the run near 1e-4; the network is still at the blurry-mean stage at the end.

Measured (seed 0, 1 thread): buggy: test MSE by epoch 0.185/0.183/0.179/0.168/0.152/0.110/0.060,
final test MSE 0.0603 (the noisy input itself scores 0.0686). Fixed copy (len(loader)): final
train MSE 0.0291, test MSE 0.0294.
"""
# traindebug-expect: lr_too_low
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

parser = argparse.ArgumentParser(description="denoising U-Net on 8x8 digits")
parser.add_argument("--epochs", type=int, default=7)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--warmup-epochs", type=float, default=2.0)
parser.add_argument("--noise", type=float, default=0.35)
args = parser.parse_args()


class TinyUNet(nn.Module):
    def __init__(self, c=8):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU())
        self.down = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.mid = nn.Sequential(nn.ReLU(), nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(2 * c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, 1, 1))

    def forward(self, x):
        s = self.enc1(x)
        h = self.mid(self.down(s))
        h = torch.cat([self.up(h), s], dim=1)
        return torch.sigmoid(self.dec(h))


digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
perm = torch.randperm(len(images))
train_set = TensorDataset(images[perm[:1400]])
test_imgs = images[perm[1400:]]
g = torch.Generator().manual_seed(1)
test_noisy = (test_imgs + args.noise * torch.randn(test_imgs.shape, generator=g)).clamp(0, 1)

loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
model = TinyUNet()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
warmup_steps = int(args.warmup_epochs * len(train_set))
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup_steps))


def evaluate():
    model.eval()
    with torch.no_grad():
        mse = F.mse_loss(model(test_noisy), test_imgs).item()
    model.train()
    return mse


print(f"noisy-input baseline mse {F.mse_loss(test_noisy, test_imgs).item():.4f}")
step = 0
for epoch in range(args.epochs):
    running = 0.0
    for (clean,) in loader:
        noisy = (clean + args.noise * torch.randn_like(clean)).clamp(0, 1)
        loss = F.mse_loss(model(noisy), clean)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
        step += 1
    print(f"epoch {epoch} step {step} lr {scheduler.get_last_lr()[0]:.2e} "
          f"train_mse {running / len(loader):.4f} test_mse {evaluate():.4f}")

print(f"final denoising test mse {evaluate():.4f}")

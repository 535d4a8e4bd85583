"""Healthy control: digits CNN trained with heavy augmentation (random shifts, Gaussian noise
std 0.25, 3x3 cutout) plus mixup (alpha 0.4), Adam + OneCycleLR.

Legitimate pattern that could fool a naive detector: the training loss (on augmented,
mixed-up inputs with soft targets) stays far from zero and well above the validation
loss. Mixup also combines samples within a batch, but only in the input pipeline before
the model; the model itself treats samples independently.

Measured (14 epochs, 308 steps): train loss 2.30 -> ~1.2-1.3, val_loss 2.29 -> 0.25,
val_acc 0.949.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
np.random.seed(21)


def augment_batch(x, noise_std=0.25, cutout_p=0.5, max_shift=1):
    """Random translation (+-1 px), additive Gaussian noise and 3x3 cutout, vectorised over the batch."""
    n = x.size(0)
    padded = F.pad(x, (max_shift,) * 4)
    shifts = torch.randint(0, 2 * max_shift + 1, (n, 2))
    rows = (torch.arange(8).view(1, 8) + shifts[:, :1]).view(n, 1, 8, 1).expand(n, 1, 8, 8 + 2 * max_shift)
    x = padded.gather(2, rows)
    cols = (torch.arange(8).view(1, 8) + shifts[:, 1:]).view(n, 1, 1, 8).expand(n, 1, 8, 8)
    x = x.gather(3, cols)
    x = x + noise_std * torch.randn_like(x)
    cy, cx = torch.randint(0, 6, (n, 1, 1, 1)), torch.randint(0, 6, (n, 1, 1, 1))
    yy, xx = torch.arange(8).view(1, 1, 8, 1), torch.arange(8).view(1, 1, 1, 8)
    hole = (yy >= cy) & (yy < cy + 3) & (xx >= cx) & (xx < cx + 3)
    use = (torch.rand(n, 1, 1, 1) < cutout_p)
    return x.masked_fill(hole & use, 0.0)


class DigitCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(64 * 2 * 2, 10)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def mixup(x, y, alpha=0.4):
    lam = float(np.random.beta(alpha, alpha))
    idx = torch.randperm(x.size(0))
    return lam * x + (1 - lam) * x[idx], y, y[idx], lam


digits = load_digits()
imgs = digits.images / 16.0
x_tr, x_va, y_tr, y_va = train_test_split(imgs, digits.target, test_size=0.25, stratify=digits.target,
                                          random_state=21)
to_ds = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32).unsqueeze(1), torch.tensor(b))
train_dl = DataLoader(to_ds(x_tr, y_tr), batch_size=64, shuffle=True)
val_dl = DataLoader(to_ds(x_va, y_va), batch_size=256)

model = DigitCNN()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=14 * len(train_dl))

for epoch in range(14):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in train_dl:
        xm, ya, yb2, lam = mixup(augment_batch(xb), yb)
        out = model(xm)
        loss = lam * F.cross_entropy(out, ya) + (1 - lam) * F.cross_entropy(out, yb2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(xb)
        n += len(xb)
    model.eval()
    vloss, vcorrect = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            out = model(xb)
            vloss += F.cross_entropy(out, yb, reduction="sum").item()
            vcorrect += (out.argmax(1) == yb).sum().item()
    if epoch % 2 == 1 or epoch == 0:
        print(f"epoch {epoch + 1:2d}  train_loss(aug+mixup) {tot / n:.4f}  "
              f"val_loss {vloss / len(y_va):.4f}  val_acc {vcorrect / len(y_va):.3f}")

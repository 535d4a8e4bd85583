"""Healthy control: small 2-D CNN on sklearn digits trained with CrossEntropyLoss
(label_smoothing=0.2), dropout and heavy on-the-fly augmentation (Gaussian pixel noise,
random 2x2 erasing, 10% random pixel dropout), Adam with cosine annealing.

Pattern that may fool a naive detector: the training loss never gets near zero (it stays
around 1.25; the label-smoothing floor alone is ~0.87 and the augmented inputs are hard),
and training accuracy on augmented batches stays ~0.84, which looks like underfitting or
over-regularisation. Validation on clean images is nevertheless good.

Measured: train loss 2.25 -> 1.26, val CE 1.91 -> 0.39, val accuracy 0.947 after 352 steps.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(8)

d = load_digits()
X = (d.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8)
Xtr, Xva, ytr, yva = train_test_split(X, d.target, test_size=0.25, random_state=8, stratify=d.target)
Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)


def augment(x):
    """Pixel noise, random erasing of a 2x2 patch and random pixel dropout, applied per sample."""
    b = x.shape[0]
    x = x + 0.15 * torch.randn_like(x)
    r = torch.randint(0, 7, (b,))
    c = torch.randint(0, 7, (b,))
    rows = torch.arange(8).view(1, 8, 1)
    cols = torch.arange(8).view(1, 1, 8)
    patch = ((rows >= r.view(-1, 1, 1)) & (rows < r.view(-1, 1, 1) + 2) &
             (cols >= c.view(-1, 1, 1)) & (cols < c.view(-1, 1, 1) + 2))
    x = x.masked_fill(patch.unsqueeze(1), 0.0)
    keep = (torch.rand_like(x) > 0.1).float()
    return x * keep


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 12, 3, padding=1)
        self.c2 = nn.Conv2d(12, 24, 3, padding=1)
        self.fc = nn.Linear(24 * 4 * 4, 64)
        self.out = nn.Linear(64, 10)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = self.drop(F.relu(self.fc(x.flatten(1))))
        return self.out(x)


model = SmallCNN()
criterion = nn.CrossEntropyLoss(label_smoothing=0.2)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=16)
for epoch in range(16):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot, correct = 0.0, 0
    for i in range(0, len(Xtr), 64):
        b = perm[i:i + 64]
        logits = model(augment(Xtr[b]))
        loss = criterion(logits, ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        correct += (logits.argmax(1) == ytr[b]).sum().item()
    sched.step()
    model.eval()
    with torch.no_grad():
        vl = model(Xva)
        va_ce = F.cross_entropy(vl, yva).item()
        va_acc = (vl.argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch:2d} train_loss(smoothed, augmented) {tot / len(Xtr):.4f} "
          f"train_acc(aug) {correct / len(Xtr):.3f} val_ce {va_ce:.4f} val_acc {va_acc:.3f}")

"""
Healthy control: small CNN (3 conv layers, BatchNorm, ReLU, global average pool) on
load_digits trained with CutMix (Beta(1,1) box size, box pasted from a shuffled copy of the
batch, targets mixed by area), SGD Nesterov momentum 0.9, weight decay 5e-4, OneCycleLR
peak 0.1, DataLoader batch 48, 8 epochs (232 steps).

Possible false alarm: CutMix deliberately makes each training input depend on another
sample of the batch (x[perm]), which a naive batch-mixing check could flag, and the mixed
training loss stays high (~1.1) and noisy because the targets are soft, while the clean
test loss is low; a detector could also misread the noisy high train loss as underfitting
or a too-high learning rate (OneCycle peak 0.1).

Measured (seed 0, 1 thread): CutMix train loss 2.19 -> 1.13, test loss 0.221, test acc 0.976.
"""
# traindebug-expect: clean
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def cutmix(x, y, alpha=1.0):
    """Paste a random box from a shuffled copy of the batch; mix labels by box area."""
    lam = np.random.beta(alpha, alpha)
    perm = torch.randperm(x.size(0))
    H, W = x.shape[-2:]
    cut = np.sqrt(1.0 - lam)
    ch, cw = int(round(H * cut)), int(round(W * cut))
    cy, cx = np.random.randint(H), np.random.randint(W)
    y0, y1 = max(cy - ch // 2, 0), min(cy + ch // 2, H)
    x0, x1 = max(cx - cw // 2, 0), min(cx + cw // 2, W)
    x = x.clone()
    x[:, :, y0:y1, x0:x1] = x[perm, :, y0:y1, x0:x1]
    lam = 1.0 - (y1 - y0) * (x1 - x0) / (H * W)
    return x, y, y[perm], lam


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def main():
    t0 = time.process_time()
    X, y = load_digits(return_X_y=True)
    X = ((X / 16.0 - 0.3) / 0.4).astype(np.float32).reshape(-1, 1, 8, 8)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=48, shuffle=True)
    X_te, y_te = torch.from_numpy(X_te), torch.from_numpy(y_te)

    model = SmallCNN()
    epochs = 8
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=epochs * len(train_loader))

    for epoch in range(epochs):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in train_loader:
            xb, ya, yb2, lam = cutmix(xb, yb)
            out = model(xb)
            loss = lam * F.cross_entropy(out, ya) + (1 - lam) * F.cross_entropy(out, yb2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(yb)
            n += len(yb)
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            te_acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch}  cutmix train loss {tot / n:.4f}  test loss {te_loss:.4f}  test acc {te_acc:.4f}")
    print(f"final test acc {te_acc:.4f}  test loss {te_loss:.4f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()

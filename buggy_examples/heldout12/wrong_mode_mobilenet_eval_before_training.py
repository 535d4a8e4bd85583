"""MobileNet-style depthwise-separable CNN (BatchNorm + dropout) on 8x8 digits,
with a baseline validation pass before training.

Seeded bug (wrong_mode): evaluate() switches the model to eval mode, and the
script calls it once before the training loop and after every epoch, but
model.train() is never called, so every training step runs with BatchNorm
using its (untrained) running statistics and dropout disabled.
Measured after 210 SGD steps: train loss 2.303, val loss 2.303, val acc 0.102
(chance).  Same script with model.train() at the start of each epoch:
train loss 0.0105, val loss 0.0185, val acc 0.996.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
torch.set_num_threads(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.3, random_state=5, stratify=y)
X_tr, X_val = torch.from_numpy(X_tr).unsqueeze(1), torch.from_numpy(X_val).unsqueeze(1)
y_tr, y_val = torch.from_numpy(y_tr), torch.from_numpy(y_val)


class DWBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.dw = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.bn1 = nn.BatchNorm2d(cin)
        self.pw = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn2(self.pw(F.relu(self.bn1(self.dw(x))))))


class MobileDigits(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.blocks = nn.Sequential(DWBlock(32, 64), nn.MaxPool2d(2), DWBlock(64, 128), DWBlock(128, 128))
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(self.drop(x.mean(dim=(2, 3))))


@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    logits = model(X)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


model = MobileDigits()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)

val_loss, val_acc = evaluate(model, X_val, y_val)
print(f"before training: val loss {val_loss:.3f} val acc {val_acc:.3f}")

n, bs = X_tr.shape[0], 64
for epoch in range(10):
    perm = torch.randperm(n)
    run = 0.0
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        xb = X_tr[idx]
        loss = F.cross_entropy(model(xb), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
    sched.step()
    val_loss, val_acc = evaluate(model, X_val, y_val)
    if epoch % 3 == 0 or epoch == 9:
        print(f"epoch {epoch + 1:2d} train loss {run / n:.4f} val loss {val_loss:.4f} val acc {val_acc:.3f}")

"""2-D CNN on sklearn digits with an LR range test run first.

Seeded bug (lr_too_high): the LR finder sweeps plain SGD (no momentum) and the
script takes the lr at the *minimum* of the smoothed loss curve (1.47), which is
already at the edge of divergence, and then trains with SGD + Nesterov momentum
0.9 (effective step ~10x larger). The usual rule is to take ~1/10 of that value.
Measured (264 steps): buggy train loss stays ~2.36, val acc 0.098 (chance);
fixed (lr = suggestion / 10 = 0.147): train loss 0.003, val acc 0.978.
"""
# traindebug-expect: lr_too_high
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]  # (N,1,8,8)
y = digits.target.astype(np.int64)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
Xtr, Xva, ytr, yva = map(torch.from_numpy, (Xtr, Xva, ytr, yva))


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(x.flatten(1))


def batches(X, y, bs, shuffle=True):
    idx = torch.randperm(len(X)) if shuffle else torch.arange(len(X))
    for i in range(0, len(X), bs):
        j = idx[i:i + bs]
        yield X[j], y[j]


def lr_range_test(model, start=1e-4, end=10.0, steps=60, bs=64):
    """Exponential LR sweep (Smith 2015). Returns (lrs, smoothed losses)."""
    state = copy.deepcopy(model.state_dict())
    opt = torch.optim.SGD(model.parameters(), lr=start)
    mult = (end / start) ** (1 / steps)
    lrs, losses, avg = [], [], 0.0
    it = batches(Xtr, ytr, bs)
    for k in range(steps):
        try:
            xb, yb = next(it)
        except StopIteration:
            it = batches(Xtr, ytr, bs)
            xb, yb = next(it)
        lr = start * mult ** k
        for g in opt.param_groups:
            g["lr"] = lr
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        avg = 0.9 * avg + 0.1 * loss.item()
        sm = avg / (1 - 0.9 ** (k + 1))
        lrs.append(lr)
        losses.append(sm)
        if k > 5 and sm > 4 * min(losses):
            break
    model.load_state_dict(state)
    return np.array(lrs), np.array(losses)


model = SmallCNN()
lrs, losses = lr_range_test(model)
best_lr = float(lrs[np.argmin(losses)])
print(f"lr finder: suggested lr = {best_lr:.3g}")

opt = torch.optim.SGD(model.parameters(), lr=best_lr, momentum=0.9, nesterov=True)
EPOCHS, BS = 12, 64
step = 0
for epoch in range(EPOCHS):
    model.train()
    tot, n = 0.0, 0
    for xb, yb in batches(Xtr, ytr, BS):
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        tot += loss.item() * len(xb)
        n += len(xb)
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        va_loss = F.cross_entropy(logits, yva).item()
        acc = (logits.argmax(1) == yva).float().mean().item()
    if epoch % 3 == 2 or epoch == EPOCHS - 1:
        print(f"epoch {epoch+1:2d} train {tot/n:.4f} val {va_loss:.4f} acc {acc:.3f}")
print(f"steps={step} final val acc {acc:.3f}")

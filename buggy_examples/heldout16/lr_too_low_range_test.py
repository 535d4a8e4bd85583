"""Digits MLP whose learning rate is picked by a short LR range test
(exponential sweep 1e-7 -> 1, smoothed loss, lr = lr_at_min_loss / 10),
followed by 12 epochs of SGD with momentum.

Seeded bug: the exponentially smoothed loss in the range test is not
bias-corrected (avg starts at 0, the "/ (1 - beta**(i+1))" term is missing),
so the first smoothed values are tiny. The minimum therefore sits at the very
first iteration, the "diverged" check (avg > 4 * best) fires after 5 steps,
and the chosen learning rate is 1e-7 / 10 = 1e-8.

Measured (276 training steps): buggy run uses lr=1e-8, train loss stays at
2.3131 for all 12 epochs, test_acc 0.064; fixed copy (bias-corrected
smoothing) picks lr=5.4e-2 and reaches train loss 0.0038, test_acc 0.975.
"""
# traindebug-expect: lr_too_low
import copy
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

digits = load_digits()
X_tr, X_te, y_tr, y_te = train_test_split(digits.data, digits.target, test_size=0.2,
                                          random_state=1, stratify=digits.target)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_te = torch.tensor(y_te)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


def batches(bs, shuffle=True):
    idx = torch.randperm(len(X_tr)) if shuffle else torch.arange(len(X_tr))
    while True:
        for i in range(0, len(idx) - bs + 1, bs):
            j = idx[i:i + bs]
            yield X_tr[j], y_tr[j]


def lr_range_test(model, start_lr=1e-7, end_lr=1.0, num_iter=80, beta=0.98):
    """Exponentially increase the lr and record the smoothed loss (Smith 2017)."""
    init_state = copy.deepcopy(model.state_dict())
    opt = torch.optim.SGD(model.parameters(), lr=start_lr, momentum=0.9)
    mult = (end_lr / start_lr) ** (1.0 / (num_iter - 1))
    lrs, smoothed = [], []
    avg_loss, best = 0.0, math.inf
    it = batches(64)
    lr = start_lr
    for i in range(num_iter):
        xb, yb = next(it)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        avg_loss = beta * avg_loss + (1 - beta) * loss.item()
        lrs.append(lr)
        smoothed.append(avg_loss)
        best = min(best, avg_loss)
        if avg_loss > 4 * best or not math.isfinite(avg_loss):
            break
        lr *= mult
    model.load_state_dict(init_state)
    return lrs, smoothed


model = Net()
lrs, smoothed = lr_range_test(model)
best_idx = int(np.argmin(smoothed))
lr = lrs[best_idx] / 10.0
print(f"range test: {len(lrs)} iters, min smoothed loss at lr={lrs[best_idx]:.2e} -> using lr={lr:.2e}")

optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
step = 0
for epoch in range(12):
    model.train()
    tot, n = 0.0, 0
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), 64):
        j = perm[i:i + 64]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_tr[j]), y_tr[j])
        loss.backward()
        optimizer.step()
        step += 1
        tot += loss.item() * len(j)
        n += len(j)
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    if epoch % 2 == 1 or epoch == 0:
        print(f"epoch {epoch+1:2d} steps {step} train_loss {tot/n:.4f} test_acc {acc:.3f}")

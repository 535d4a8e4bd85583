"""Seeded bug: the ExponentialLR scheduler (gamma=0.9) was meant to be stepped once per
epoch, but the generator-based training loop calls ``sched.step()`` after every mini-batch.
With 13 batches/epoch the learning rate is ~1e-3 of its start after ~65 steps (1e-4 by
epoch 5, 1e-10 by epoch 15), so training effectively stops in the first epochs.
Measured (seed 0, 260 steps, label smoothing 0.05 so the loss floor is ~0.4): buggy final
train loss 1.854, val acc 0.778; fixed (sched.step() once per epoch) final train loss 0.426,
val acc 0.967.
"""
# traindebug-expect: lr_too_low
import functools
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
ytr, yva = torch.from_numpy(ytr).long(), torch.from_numpy(yva).long()

model = nn.Sequential(nn.Linear(64, 96), nn.ReLU(), nn.Linear(96, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
loss_fn = functools.partial(F.cross_entropy, label_smoothing=0.05)

BATCH = 104
EPOCHS = 20


def batches(n_epochs):
    for ep in range(n_epochs):
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr) - BATCH + 1, BATCH):
            idx = perm[i:i + BATCH]
            yield ep, Xtr[idx], ytr[idx]


def trainer(model, opt, loss_fn):
    """Coroutine: receives batches, yields the loss of each step."""
    loss = None
    while True:
        item = yield loss
        if item is None:
            return
        xb, yb = item
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        loss = loss.item()


step = trainer(model, opt, loss_fn)
next(step)
running, last_ep = [], 0
for ep, xb, yb in batches(EPOCHS):
    if ep != last_ep:
        if last_ep % 5 == 4:
            print(f"epoch {last_ep + 1:2d} loss {np.mean(running):.4f} lr {opt.param_groups[0]['lr']:.2e}")
        running, last_ep = [], ep
    running.append(step.send((xb, yb)))

with torch.no_grad():
    model.eval()
    acc = (model(Xva).argmax(1) == yva).float().mean().item()
print(f"final train loss {np.mean(running):.4f}  val acc {acc:.3f}")

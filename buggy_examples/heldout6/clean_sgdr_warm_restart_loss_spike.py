"""Healthy control: digits MLP trained with Nesterov SGD and SGDR
(CosineAnnealingWarmRestarts, T_0 = 5 epochs, stepped with fractional epochs,
two full cycles, 420 steps).

Pattern that may fool a naive detector: at the warm restart (step 210) the
learning rate jumps from 3e-4 back to 0.12, and the training loss rises
for about 100 steps (15-step average 0.017-0.019 at the end of cycle 1 ->
0.05 -> 0.108 peak) before falling again. This is the intended
exploration of SGDR, not divergence; the first cycle also has a short bump
(0.15 -> 0.49 at step 75) at high lr.
Measured: loss 1.56 (first 15 steps) -> 0.019 (end of cycle 1) -> peak
0.108 after the restart -> 0.0056 at the end; test accuracy 0.969 before
the restart, 0.956 at its lowest, 0.978 at the end.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 21
BATCH = 32
EPOCHS = 10
LR_MAX = 0.12
RESTART_EVERY = 5          # epochs in the first cycle


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = self.drop(F.relu(self.fc1(x)))
        x = self.drop(F.relu(self.fc2(x)))
        return self.fc3(x)


torch.manual_seed(SEED)
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-3)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=SEED)
X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

model = Net()
opt = torch.optim.SGD(model.parameters(), lr=LR_MAX, momentum=0.9, nesterov=True, weight_decay=1e-4)
# SGDR: cosine annealing with warm restarts, stepped with fractional epochs
sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=RESTART_EVERY, T_mult=1, eta_min=1e-4)

steps_per_epoch = (len(X_tr) + BATCH - 1) // BATCH
global_step = 0
window = []
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(X_tr))
    for b, i in enumerate(range(0, len(perm), BATCH)):
        idx = perm[i:i + BATCH]
        out = model(X_tr[idx])
        loss = F.cross_entropy(out, y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step(epoch + (b + 1) / steps_per_epoch)
        window.append(loss.item())
        global_step += 1
        if global_step % 15 == 0:
            print(f"step {global_step:4d} epoch {epoch} lr {opt.param_groups[0]['lr']:.4f} "
                  f"loss(avg15) {np.mean(window):.4f}")
            window = []
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"-- end of epoch {epoch}: test acc {acc:.3f}")

"""Healthy control: MLP on sklearn digits with SGD and a triangular CyclicLR schedule
(0.002 <-> 0.12, 30 steps up / 30 down, cycled momentum) for 360 steps.

Possible false alarm: the learning rate rises 60x every half cycle and the windowed training
loss visibly goes up and down with the cycle (e.g. 0.030 at step 210 -> 0.073 at step 225 ->
0.031 at step 240), which a naive detector may read as oscillation from a too-high lr or as
loss spikes. The trend is clearly down and the run is healthy.

Measured: windowed loss 2.20 -> 0.010, final test loss 0.128, test accuracy 0.969.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(21)

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32) / 16.0
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=21, stratify=y)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
mean, std = Xtr.mean(0), Xtr.std(0) + 1e-3
Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std

model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 10),
)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
STEP_UP = 30
sched = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.002, max_lr=0.12, step_size_up=STEP_UP,
                                          mode="triangular", cycle_momentum=True,
                                          base_momentum=0.8, max_momentum=0.9)

BATCH, TOTAL_STEPS = 32, 360
gen = torch.Generator().manual_seed(0)
window, step = [], 0
while step < TOTAL_STEPS:
    perm = torch.randperm(len(Xtr), generator=gen)
    for i in range(0, len(Xtr) - BATCH + 1, BATCH):
        idx = perm[i:i + BATCH]
        model.train()
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        window.append(loss.item())
        if step % 15 == 0:
            print(f"step {step:4d} lr {sched.get_last_lr()[0]:.4f} loss(last15) {np.mean(window):.4f}")
            window = []
        if step >= TOTAL_STEPS:
            break

model.eval()
with torch.no_grad():
    test_loss = F.cross_entropy(model(Xte), yte).item()
    acc = (model(Xte).argmax(1) == yte).float().mean().item()
print(f"final test_loss {test_loss:.4f} test_acc {acc:.3f}")

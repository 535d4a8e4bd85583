"""1-D CNN on synthetic vibration signals (4 fault frequencies, heavy noise), OrderedDict
nn.Sequential model, AdamW with decay / no-decay parameter groups.

Seeded bug: the parameter-group filter matches weight matrices with
name.startswith(("conv", "classifier")), but the conv layers live inside the "features"
sub-module, so their names are "features.conv1.weight" etc. Those weights fall through both
branches and are never handed to the optimizer: they receive gradients every step but stay at
their random initial values (only conv biases, BatchNorm and the head train).
Measured (6 epochs, 150 steps): final train loss 0.805, test accuracy 0.668.
Fixed copy (prefix "features.conv"): final train loss 0.237, test accuracy
0.835 (0.890 at epoch 3).
"""
# traindebug-expect: frozen_or_unoptimized
from collections import OrderedDict
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(5)
rng = np.random.default_rng(5)

# ---- synthetic vibration signals: 4 fault types ----
N, L, C = 2000, 128, 4
t = np.arange(L) / L
labels = rng.integers(0, C, N)
base_f = np.array([4.0, 6.0, 8.0, 10.0])
sig = np.sin(2 * np.pi * (base_f[labels][:, None] + rng.normal(0, 0.5, (N, 1))) * t + rng.uniform(0, 6.28, (N, 1)))
sig += 1.5 * rng.normal(size=(N, L))
X = torch.tensor(sig, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(labels)
Xtr, ytr, Xte, yte = X[:1600], y[:1600], X[1600:], y[1600:]

features = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv1d(1, 16, 7, padding=3)), ("bn1", nn.BatchNorm1d(16)), ("act1", nn.ReLU()), ("pool1", nn.MaxPool1d(2)),
    ("conv2", nn.Conv1d(16, 32, 5, padding=2)), ("bn2", nn.BatchNorm1d(32)), ("act2", nn.ReLU()), ("pool2", nn.MaxPool1d(2)),
    ("conv3", nn.Conv1d(32, 32, 5, padding=2)), ("bn3", nn.BatchNorm1d(32)), ("act3", nn.ReLU()),
    ("gap", nn.AdaptiveAvgPool1d(1)), ("flat", nn.Flatten()),
]))
classifier = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, C))
model = nn.Sequential(OrderedDict([("features", features), ("classifier", classifier)]))

# weight matrices get weight decay, norm layers and biases don't
decay, no_decay = [], []
for name, p in model.named_parameters():
    if not p.requires_grad:
        continue
    if name.endswith("bias") or ".bn" in name:
        no_decay.append(p)
    elif name.startswith(("conv", "classifier")):
        decay.append(p)
opt = torch.optim.AdamW([
    {"params": decay, "weight_decay": 1e-2},
    {"params": no_decay, "weight_decay": 0.0},
], lr=3e-3)
loss_fn = nn.CrossEntropyLoss()

BS, EPOCHS = 64, 6
step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot = 0.0
    for i in range(0, len(Xtr), BS):
        idx = perm[i:i + BS]
        out = model(Xtr[idx])
        loss = loss_fn(out, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
        step += 1
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch} loss {tot / len(Xtr):.4f} test acc {acc:.3f}")
print("steps", step)

"""MLP assembled in a for-loop from a list of widths (11 Linear layers, width 32),
make_moons classification, SGD with momentum.

Seeded bug: the hidden activation is nn.Sigmoid across 10 hidden layers with default
init, so the backward signal shrinks by ~4x per layer: at init the first layer's
weight-gradient norm is 4.8e-11 vs 0.65 for the last layer (ratio ~1e10).

Measured (300 steps): buggy loss stays ~0.69, test acc 0.47 (chance);
fixed (ACT = nn.Tanh, everything else identical) loss 0.09, test acc 0.95-0.97.
"""
# traindebug-expect: vanishing_gradients
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(1)

WIDTHS = [2, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 2]
ACT = nn.Sigmoid


def build_mlp(widths, act):
    layers = []
    for i, (w_in, w_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(w_in, w_out))
        if i < len(widths) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


X, y = make_moons(n_samples=1200, noise=0.2, random_state=1)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1)
Xtr, Xte = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

model = build_mlp(WIDTHS, ACT)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
crit = nn.CrossEntropyLoss()

step = 0
for epoch in range(30):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 90):
        idx = perm[i:i + 90]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 5 == 4:
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch + 1:2d} step {step} loss {loss.item():.4f} test_acc {acc:.3f}")

"""Digits MLP 64-256-128-10 with ReLU, Adam(lr=1e-3), batch 50, 208 steps.

Seeded bug (dead_units): the custom init loop sets every Linear bias to -2.0 ("small
negative bias so hidden codes start out sparse"). Inputs are in [0, 1], so with
kaiming weights nearly every hidden pre-activation is negative for every sample:
the ReLUs never fire, get no gradient, and stay dead for the whole run.

Measured (activations checked in a scratch copy): 93% of layer-1 units and 100% of
layer-2 units are zero on the entire training set after training; train loss stays
at 2.3025-2.3027 (= ln 10) for all 8 epochs, test accuracy 0.102. Same script with
bias 0.0: 3% / 12% dead, train loss 0.072, test accuracy 0.963.
"""
# traindebug-expect: dead_units
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(1)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=42, stratify=y)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

model = nn.Sequential(
    nn.Linear(64, 256),
    nn.ReLU(),
    nn.Linear(256, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
)

# init: kaiming for relu layers, small negative bias so hidden codes start out sparse
for layer in model:
    if isinstance(layer, nn.Linear):
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.constant_(layer.bias, -2.0)

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

batch_size = 50
epochs = 8
steps = 0
for epoch in range(epochs):
    perm = torch.randperm(len(Xtr))
    running = 0.0
    nb = 0
    for i in range(0, len(Xtr), batch_size):
        idx = perm[i:i + batch_size]
        out = model(Xtr[idx])
        loss = criterion(out, ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        nb += 1
        steps += 1
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch+1}  train loss {running/nb:.4f}  test acc {acc:.3f}")

print("steps:", steps)

"""Seeded bug: an MLP on the digits data with inputs min-max scaled to [0, 1].
A custom init uses small weights (std 0.01) and a bias of -0.5 for every
hidden layer "to start with sparse ReLU activations"; with non-negative inputs
the pre-activations are all below zero, so every ReLU unit is dead from step 0
and only the output bias learns. Final loss 2.300 vs 0.274 fixed (bias 0)."""
# traindebug-expect: dead_units
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler
from torch import nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(MinMaxScaler().fit_transform(digits.data), dtype=torch.float32)
y = torch.tensor(digits.target)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)
        nn.init.constant_(m.bias, -0.5)

opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(250):
    idx = torch.randint(0, len(X), (64,))
    loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 249:
        print(f"step {step} loss {loss.item():.4f}")

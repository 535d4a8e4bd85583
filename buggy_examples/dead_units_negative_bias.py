"""Seeded bug: the hidden layers' biases are initialised to -3 ("sparse
activations"), so almost every ReLU unit is negative for every input and never
activates; the dead units get no gradient and never recover."""
# traindebug-expect: dead_units
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
for layer in (model[0], model[2]):
    nn.init.constant_(layer.bias, -3.0)  # BUG
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[b]), y[b])
        loss.backward()
        opt.step()
    print(epoch, loss.item())

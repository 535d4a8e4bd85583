"""Seeded bug: a 10-layer plain MLP with sigmoid activations; sigmoid'(x) <= 0.25,
so the gradient shrinks at every layer and the first layers barely learn."""
# traindebug-expect: vanishing_gradients
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)

layers = [nn.Linear(64, 64), nn.Sigmoid()]
for _ in range(9):
    layers += [nn.Linear(64, 64), nn.Sigmoid()]  # BUG: deep stack of sigmoids
model = nn.Sequential(*layers, nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(6):
    for xb, yb in zip(X.split(50), y.split(50)):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

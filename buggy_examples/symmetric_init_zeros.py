"""Seeded bug: all weights of the MLP are initialised to zero; every hidden unit
computes the same thing and gets the same (here: zero) gradient, so the network
never learns more than the class prior."""
# traindebug-expect: symmetric_init
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.weight)  # BUG
        nn.init.zeros_(m.bias)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(8):
    for xb, yb in zip(X.split(64), y.split(64)):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

"""Seeded bug: the SGD learning rate (3.0) is far too large for this MLP on
sklearn digits; the loss jumps around and diverges instead of falling."""
# traindebug-expect: lr_too_high
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=3.0, momentum=0.9)  # BUG: lr far too high
loss_fn = nn.CrossEntropyLoss()

for epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")

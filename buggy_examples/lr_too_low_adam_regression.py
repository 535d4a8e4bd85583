"""Seeded bug: Adam with lr=1e-6 on a regression MLP (standardised diabetes
data); Adam's steps are about lr per weight, far too small to move the loss."""
# traindebug-expect: lr_too_low
import torch
from sklearn.datasets import load_diabetes
from torch import nn


class Regressor(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(d, 64), nn.Linear(64, 64), nn.Linear(64, 1)

    def forward(self, x):
        return self.l3(torch.relu(self.l2(torch.relu(self.l1(x))))).squeeze(-1)


torch.manual_seed(0)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)
model = Regressor(10)
opt = torch.optim.Adam(model.parameters(), lr=1e-6)  # BUG
mse = nn.MSELoss()
for epoch in range(30):
    for xb, yb in zip(X.split(32), y.split(32)):
        opt.zero_grad()
        loss = mse(model(xb), yb)
        loss.backward()
        opt.step()
    if epoch % 10 == 0:
        print(epoch, loss.item())

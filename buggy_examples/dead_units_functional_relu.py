"""Seeded bug: a one-cycle of very large SGD steps early in training (lr 2.0
for the first 30 steps) pushes most hidden ReLU units (applied with F.relu)
into the negative region for every input: they die and stay dead after the
rate drops back to 0.05."""
# traindebug-expect: dead_units
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch import nn


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(20, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 2)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


torch.manual_seed(0)
X, y = make_classification(n_samples=2000, n_features=20, random_state=3)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
net = MLP()
opt = torch.optim.SGD(net.parameters(), lr=2.0)  # BUG: a "warm start" with a huge rate
for step in range(300):
    if step == 30:
        for g in opt.param_groups:
            g["lr"] = 0.05
    idx = torch.randint(0, len(X), (64,))
    loss = F.cross_entropy(net(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        print(step, loss.item())

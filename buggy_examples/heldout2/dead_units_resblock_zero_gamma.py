"""Seeded bug: a residual MLP for regression that zero-initialises BatchNorm
gammas "like the ResNet paper" - but in every block the zeroed BatchNorm is
the one in front of the ReLU rather than the last one of the block. With
gamma = beta = 0 the ReLU input is exactly 0 for every sample, ReLU'(0) = 0,
so no gradient ever reaches gamma: every hidden unit of every block is dead
and the net is a linear model (test MSE 0.45-2.5 vs ~0.02 with the gamma on
the block's last BatchNorm, measured)."""
# traindebug-expect: dead_units
import torch
from sklearn.datasets import make_friedman1
from torch import nn


class ResBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.bn1 = nn.BatchNorm1d(dim)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(dim, dim)
        self.bn2 = nn.BatchNorm1d(dim)

    def forward(self, x):
        return x + self.bn2(self.fc2(self.act(self.bn1(self.fc1(x)))))


class ResMLP(nn.Module):
    def __init__(self, d_in=10, dim=64, blocks=3):
        super().__init__()
        self.inp = nn.Linear(d_in, dim)
        self.blocks = nn.Sequential(*[ResBlock(dim) for _ in range(blocks)])
        self.out = nn.Linear(dim, 1)
        for block in self.blocks:
            nn.init.zeros_(block.bn1.weight)  # BUG: should be block.bn2 (the last BN of the block)

    def forward(self, x):
        return self.out(self.blocks(self.inp(x))).squeeze(1)


torch.manual_seed(0)
X, y = make_friedman1(n_samples=5000, noise=0.3, random_state=0)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)
Xtr, ytr, Xte, yte = X[:4000], y[:4000], X[4000:], y[4000:]
model = ResMLP()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
for step in range(300):
    idx = torch.randint(0, len(Xtr), (128,))
    loss = nn.functional.mse_loss(model(Xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 99:
        model.eval()
        with torch.no_grad():
            print(step, "test mse", nn.functional.mse_loss(model(Xte), yte).item())
        model.train()

"""Seeded bug: a regression net initialises every weight to the constant 0.05
("small and positive"); all hidden units are identical copies of each other and
stay identical, so the 64-unit layer behaves like a single unit."""
# traindebug-expect: symmetric_init
import torch
from sklearn.datasets import make_friedman1
from torch import nn


class Regressor(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(10, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, 1)
        for fc in (self.fc1, self.fc2, self.fc3):
            nn.init.constant_(fc.weight, 0.05)  # BUG: identical units
            nn.init.constant_(fc.bias, 0.0)

    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x))))).squeeze(-1)


torch.manual_seed(0)
X, y = make_friedman1(n_samples=1000, noise=0.5, random_state=0)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)
model = Regressor()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
for epoch in range(10):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())

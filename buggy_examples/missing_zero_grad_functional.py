"""Seeded bug: zero_grad is called once before the loop instead of every step,
so gradients keep accumulating over the whole run (regression, Adam)."""
# traindebug-expect: missing_zero_grad
import torch
from sklearn.datasets import load_diabetes

torch.manual_seed(0)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)

W1 = torch.nn.Parameter(torch.randn(10, 64) * (2 / 10) ** 0.5)
b1 = torch.nn.Parameter(torch.zeros(64))
W2 = torch.nn.Parameter(torch.randn(64, 1) * (1 / 64) ** 0.5)
opt = torch.optim.Adam([W1, b1, W2], lr=1e-3)
opt.zero_grad()  # BUG: should be inside the loop
for step in range(300):
    idx = torch.randint(0, len(X), (32,))
    pred = (torch.relu(X[idx] @ W1 + b1) @ W2).squeeze(1)
    loss = torch.mean((pred - y[idx]) ** 2)
    loss.backward()
    opt.step()

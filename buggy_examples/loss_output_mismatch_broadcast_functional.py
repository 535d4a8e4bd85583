"""Seeded bug: functional regression model (plain tensors, no nn.Module) whose
prediction has shape (B, 1) while the target has shape (B,); F.mse_loss
broadcasts them to (B, B) and the model learns to predict the batch mean."""
# traindebug-expect: loss_output_mismatch
import torch
import torch.nn.functional as F
from sklearn.datasets import make_regression

torch.manual_seed(0)
X, y = make_regression(n_samples=1024, n_features=10, noise=5.0, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)  # shape (N,)

w1 = (torch.randn(10, 64) * 10 ** -0.5).requires_grad_()
b1 = torch.zeros(64, requires_grad=True)
w2 = (torch.randn(64, 1) * 64 ** -0.5).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]
opt = torch.optim.Adam(params, lr=3e-3)


def predict(x):
    return F.relu(x @ w1 + b1) @ w2 + b2  # shape (B, 1)


for epoch in range(20):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.mse_loss(predict(X[idx]), y[idx])  # BUG: (64, 1) vs (64,) -> (64, 64)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, round(loss.item(), 4))

"""Seeded bug: the hand-written backward of the memory-saving Swish (x * sigmoid(x))
autograd.Function returns only the sigmoid derivative s*(1-s) and drops the product-rule
term s, so gradients through every activation are wrong (about half size near 0 and
vanishing for large |x|).
Measured (this script vs. a copy with the correct backward s + x*s*(1-s)):
final val MSE 0.422 vs 0.347 (standardised target), final train MSE 0.361 vs 0.261;
after 4 epochs train MSE 0.695 vs 0.343 (much slower progress).
"""
# traindebug-expect: wrong_gradient
import math
import torch
import torch.nn as nn
import numpy as np

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class SwishFn(torch.autograd.Function):
    """Swish that only keeps the input for backward (saves one activation buffer)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1 - s)


class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


class ResidualBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.act = Swish()
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(x)))


class Regressor(nn.Module):
    def __init__(self, d_in, width=64, depth=2):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(d_in, width), Swish())
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(depth)])
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x))).squeeze(-1)


def make_data(n=1600, d=8):
    X = np.random.randn(n, d).astype(np.float32)
    y = (np.sin(2.0 * X[:, 0]) * X[:, 1] + 0.5 * X[:, 2] ** 2
         - np.abs(X[:, 3]) + 0.3 * X[:, 4] * X[:, 5] + 0.1 * np.random.randn(n))
    y = (y - y.mean()) / y.std()
    return torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))


X, y = make_data()
Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]
model = Regressor(X.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.MSELoss()
bs, epochs = 64, 16
steps = 0
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot = 0.0
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        pred = model(Xtr[idx])
        loss = loss_fn(pred, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        tot += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        va = loss_fn(model(Xva), yva).item()
    if epoch % 3 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d} train_mse {tot / len(Xtr):.3f} val_mse {va:.3f}")
print(f"steps={steps} final val_mse={va:.3f}")

"""
Digits MLP with a learnable-beta Swish implemented as a custom
torch.autograd.Function (saves only the input, recomputes the sigmoid in backward).

Seeded bug (wrong_gradient): in SwishFn.backward the input gradient is written as
s * (1 + beta * x * (1 - x)) instead of s * (1 + beta * x * (1 - s)) (x typed
for s).  The analytic gradient disagrees with the true derivative everywhere
except x=0 or s=x, with the wrong sign for large |x|.  The beta gradient is correct.

Measured (12 epochs, ~276 Adam steps):
  buggy : train loss 0.571 -> 0.173 then rises to 0.199, test acc 0.926
  fixed (1 - s): train loss 0.462 -> 0.0087, test acc 0.967
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
np.random.seed(5)
torch.set_num_threads(1)


class SwishFn(torch.autograd.Function):
    """Memory-friendly swish: saves only the input, recomputes sigmoid in backward."""

    @staticmethod
    def forward(ctx, x, beta):
        ctx.save_for_backward(x, beta)
        return x * torch.sigmoid(beta * x)

    @staticmethod
    def backward(ctx, grad_out):
        x, beta = ctx.saved_tensors
        s = torch.sigmoid(beta * x)
        grad_x = grad_out * s * (1 + beta * x * (1 - x))
        # d/db  x*s(bx) = x^2 s (1-s)
        grad_beta = (grad_out * x * x * s * (1 - s)).sum().reshape(beta.shape)
        return grad_x, grad_beta


class Swish(nn.Module):
    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = nn.Parameter(torch.tensor(float(beta)))

    def forward(self, x):
        return SwishFn.apply(x, self.beta)


def build(hidden=64):
    return nn.Sequential(
        nn.Linear(64, hidden), Swish(),
        nn.Linear(hidden, hidden), Swish(),
        nn.Linear(hidden, hidden), Swish(),
        nn.Linear(hidden, 10),
    )


digits = load_digits()
X = StandardScaler().fit_transform(digits.data)
y = digits.target
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=5)
Xtr, Xte = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

model = build()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
crit = nn.CrossEntropyLoss()
B = 64
for epoch in range(12):
    perm = torch.randperm(len(Xtr))
    tot = 0.0
    for i in range(0, len(Xtr), B):
        b = perm[i:i + B]
        loss = crit(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
    if epoch % 3 == 2:
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        betas = [round(m.beta.item(), 2) for m in model if isinstance(m, Swish)]
        print(f"epoch {epoch:2d} loss {tot / len(Xtr):.4f} test_acc {acc:.3f} betas {betas}")

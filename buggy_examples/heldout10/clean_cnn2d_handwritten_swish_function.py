"""Healthy control: small 2-D CNN on 8x8 digits with a hand-written swish
implemented as a torch.autograd.Function (saves only the input and recomputes
the sigmoid in backward), trained with Adagrad.

Pattern that may fool a naive detector: a custom autograd Function with a
manual backward.  The backward, s * (1 + x * (1 - s)), is the exact derivative
of x * sigmoid(x) (torch.autograd.gradcheck passes in float64).

Measured healthy numbers (9 epochs, 180 steps): train loss 1.40 -> 0.0026,
test acc 0.989.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
torch.set_num_threads(1)


class SwishFn(torch.autograd.Function):
    """x * sigmoid(x) that stores only the input and recomputes sigmoid in backward (saves activation memory)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1 + x * (1 - s))


class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.act = Swish()
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.act(self.c1(x))
        x = F.max_pool2d(self.act(self.c2(x)), 2)
        x = self.act(self.fc1(x.flatten(1)))
        return self.fc2(x)


X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.5).reshape(-1, 1, 8, 8).astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=5, stratify=y)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

net = DigitNet()
opt = torch.optim.Adagrad(net.parameters(), lr=0.05)
bs, epochs = 64, 9
for epoch in range(epochs):
    net.train()
    perm = torch.randperm(len(Xtr))
    tot = 0.0
    for i in range(0, len(Xtr), bs):
        b = perm[i:i + bs]
        opt.zero_grad()
        loss = F.cross_entropy(net(Xtr[b]), ytr[b])
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
    if epoch % 3 == 0 or epoch == epochs - 1:
        net.eval()
        with torch.no_grad():
            acc = (net(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch:2d}  train loss {tot / len(Xtr):.4f}  test acc {acc:.3f}")

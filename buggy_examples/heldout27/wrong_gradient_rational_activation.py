"""
Seeded bug: the hand-written backward of the learnable rational activation
(a Pade-style unit P(x)/Q(x), "safe" denominator Q = 1 + |b1 x| + |b2 x^2|)
applies the quotient rule with the wrong sign: grad_x uses dP/Q + P*dQ/Q^2
instead of dP/Q - P*dQ/Q^2. The forward pass is correct, so nothing crashes,
but every gradient flowing through the activation (to the input and to all
earlier layers) is wrong wherever P*Q' is not small.
Measured (seed 0, 282 Adam steps): test MSE 0.375 (buggy, plateaus from epoch 4)
vs 0.145 with the sign fixed (target variance 1.03); the fixed backward passes
torch.autograd.gradcheck, the buggy one fails it.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class RationalFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, a, b):
        # a: numerator coeffs (4,), b: denominator coeffs (2,)
        P = a[0] + a[1] * x + a[2] * x ** 2 + a[3] * x ** 3
        Q = 1.0 + (b[0] * x).abs() + (b[1] * x ** 2).abs()
        ctx.save_for_backward(x, a, b, P, Q)
        return P / Q

    @staticmethod
    def backward(ctx, g):
        x, a, b, P, Q = ctx.saved_tensors
        dP = a[1] + 2 * a[2] * x + 3 * a[3] * x ** 2
        s1 = torch.sign(b[0] * x)
        s2 = torch.sign(b[1] * x ** 2)
        dQ = s1 * b[0] + 2 * s2 * b[1] * x
        Q2 = Q * Q
        grad_x = g * (dP / Q + P * dQ / Q2)
        pows = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3])
        grad_a = (g.unsqueeze(0) * pows / Q.unsqueeze(0)).flatten(1).sum(1)
        dQ_db = torch.stack([s1 * x, s2 * x ** 2])
        grad_b = (-(g * P / Q2).unsqueeze(0) * dQ_db).flatten(1).sum(1)
        return grad_x, grad_a, grad_b


class Rational(nn.Module):
    def __init__(self):
        super().__init__()
        # roughly a smooth leaky-ReLU shape on [-3, 3]
        self.a = nn.Parameter(torch.tensor([0.03, 0.5, 0.6, 0.25]))
        self.b = nn.Parameter(torch.tensor([0.4, 0.5]))

    def forward(self, x):
        return RationalFn.apply(x, self.a, self.b)


class Net(nn.Module):
    def __init__(self, d_in, hid=64, depth=3):
        super().__init__()
        layers, d = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(d, hid), Rational()]
            d = hid
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def make_data(n, d=6):
    X = np.random.uniform(-2, 2, size=(n, d)).astype(np.float32)
    y = (np.sin(2 * X[:, 0]) * X[:, 1] + 0.5 * X[:, 2] ** 2 - np.abs(X[:, 3])
         + 0.3 * X[:, 4] * X[:, 5] + 0.05 * np.random.randn(n))
    return torch.from_numpy(X), torch.from_numpy(((y - 0.0) / 1.2).astype(np.float32))


def main():
    Xtr, ytr = make_data(3000)
    Xte, yte = make_data(1000)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    model = Net(Xtr.size(1))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(1, 7):
        model.train()
        tot = 0.0
        for xb, yb in loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            te = nn.functional.mse_loss(model(Xte), yte).item()
        print(f"epoch {epoch}  train mse {tot / len(Xtr):.4f}  test mse {te:.4f}  (target var {yte.var().item():.3f})")


if __name__ == "__main__":
    main()

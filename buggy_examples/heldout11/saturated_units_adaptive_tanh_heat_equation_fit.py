"""Fitting sparse noisy samples of a 1-D heat-equation solution u(x, t) with
a tanh MLP using layer-wise adaptive activations tanh(n * a * z) (Jagtap et
al. style, n = 10).

Seeded bug: the slope parameter a is initialised to 1.0 instead of 1/n, so the
effective pre-activation is multiplied by 10 on top of Xavier init.  Most
hidden tanh units sit in their flat regions.

Measured at init: fraction of |n*a*z| > 3 per hidden layer = 0.09, 0.64, 0.75,
0.75.  Final test MSE 0.00456 (relative 0.053) after 300 Adam steps vs
0.00086 (relative 0.010) with a initialised to 1/n (~5x worse).
"""
# traindebug-expect: saturated_units

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(2)
np.random.seed(2)
torch.set_num_threads(1)

# Sparse noisy measurements of a 1-D heat-equation solution
#   u(x, t) = sum_k b_k exp(-k^2 pi^2 nu t) sin(k pi x)
nu = 0.05
coef = {1: 1.0, 2: -0.5, 3: 0.3}
def u_exact(x, t):
    return sum(b * np.exp(-(k * np.pi) ** 2 * nu * t) * np.sin(k * np.pi * x) for k, b in coef.items())

n = 3000
x = np.random.rand(n)
t = np.random.rand(n)
u = u_exact(x, t) + 0.01 * np.random.randn(n)
X = np.stack([2 * x - 1, 2 * t - 1], 1).astype(np.float32)
U = u[:, None].astype(np.float32)
Xtr, Utr = torch.from_numpy(X[:2400]), torch.from_numpy(U[:2400])
Xte, Ute = torch.from_numpy(X[2400:]), torch.from_numpy(U[2400:])


class AdaptiveTanh(nn.Module):
    """Layer-wise locally adaptive activation tanh(n * a * z) (Jagtap et al.)."""
    def __init__(self, n=10.0):
        super().__init__()
        self.n = n
        self.a = nn.Parameter(torch.tensor(1.0))

    def forward(self, z):
        return torch.tanh(self.n * self.a * z)


class FieldNet(nn.Module):
    def __init__(self, width=40, depth=4):
        super().__init__()
        dims = [2] + [width] * depth
        self.linears = nn.ModuleList()
        self.acts = nn.ModuleList()
        for d_in, d_out in zip(dims[:-1], dims[1:]):
            lin = nn.Linear(d_in, d_out)
            nn.init.xavier_normal_(lin.weight)
            nn.init.zeros_(lin.bias)
            self.linears.append(lin)
            self.acts.append(AdaptiveTanh())
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        for lin, act in zip(self.linears, self.acts):
            x = act(lin(x))
        return self.out(x)


model = FieldNet()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
mse = nn.MSELoss()

steps, bs = 300, 128
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    loss = mse(model(Xtr[bi]), Utr[bi])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == steps - 1:
        with torch.no_grad():
            te = mse(model(Xte), Ute).item()
        print(f"step {step:4d}  train {loss.item():.5f}  test {te:.5f}")

with torch.no_grad():
    te = mse(model(Xte), Ute).item()
print(f"final test MSE {te:.5f}  relative {te / Ute.var().item():.4f}")

"""Learned ISTA (LISTA, Gregor & LeCun 2010) for non-negative sparse coding of synthetic signals.

Signals y = D z + noise with a random 32x96 dictionary D (unit-norm atoms) and sparse
non-negative codes z (5 active atoms, magnitudes 0.5-2).  The encoder unrolls 4 ISTA
iterations z <- relu(W_e y + S z - theta) with learned W_e, S and per-unit thresholds,
initialised from ISTA: W_e = D^T / L, S = I - D^T D / L, theta = lam / L, where L is the
largest eigenvalue of D^T D.  Loss: MSE between predicted and true codes.  RMSprop
(lr 1e-3), batch 128, 300 optimizer steps with fresh samples.

Seeded bug: the threshold is initialised as `lam * L` instead of `lam / L`
(L ~ 6.8 here, so it is ~46x too large).  Every pre-activation W_e y - theta is then
negative, the shifted ReLU outputs exactly zero for every unit and sample, no gradient
reaches W_e, S or theta, and the codes are predicted as all zeros.  Mixing up whether
the step size 1/L multiplies or divides the regularisation weight is a common slip when
transcribing ISTA.

Measured (seed 0, code MSE summed over the 96 atoms): buggy final test error 8.71
with 0.00 % units active at every check; fixed copy (theta = lam / L) test error 1.14
with 13 % units active.
"""
# traindebug-expect: dead_units
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

M, N, K_ACTIVE, T_ITERS = 32, 96, 5, 4
LAM = 0.1
NOISE = 0.01

D = torch.randn(M, N)
D = D / D.norm(dim=0, keepdim=True)


def sample(batch):
    z = torch.zeros(batch, N)
    idx = torch.rand(batch, N).argsort(dim=1)[:, :K_ACTIVE]
    z.scatter_(1, idx, 0.5 + 1.5 * torch.rand(batch, K_ACTIVE))
    y = z @ D.t() + NOISE * torch.randn(batch, M)
    return y, z


class LISTA(nn.Module):
    def __init__(self, D, lam, n_iters):
        super().__init__()
        L = torch.linalg.eigvalsh(D.t() @ D).max().item()
        self.W_e = nn.Parameter(D.t().clone() / L)
        self.S = nn.Parameter(torch.eye(D.shape[1]) - D.t() @ D / L)
        self.theta = nn.Parameter(torch.full((n_iters, D.shape[1]), lam * L))
        self.n_iters = n_iters
        self.L = L

    def forward(self, y):
        b = y @ self.W_e.t()
        z = F.relu(b - self.theta[0])
        for t in range(1, self.n_iters):
            z = F.relu(b + z @ self.S.t() - self.theta[t])
        return z


model = LISTA(D, LAM, T_ITERS)
print(f"Lipschitz constant L = {model.L:.2f}")
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
y_test, z_test = sample(2000)

for step in range(1, 301):
    y, z = sample(128)
    z_hat = model(y)
    loss = F.mse_loss(z_hat, z) * N
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 60 == 0:
        with torch.no_grad():
            zt = model(y_test)
            active = (zt > 0).float().mean().item()
            print(f"step {step}  train loss {loss.item():.4f}  test code MSE*N {F.mse_loss(zt, z_test).item() * N:.4f}  active {active:.2%}")

with torch.no_grad():
    zt = model(y_test)
    print(f"final: test code MSE {F.mse_loss(zt, z_test).item() * N:.4f} (x{N})  units active {(zt > 0).float().mean().item():.2%}")

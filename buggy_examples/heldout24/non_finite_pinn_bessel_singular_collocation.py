"""Physics-informed network for the Bessel equation y'' + y'/t + y = 0, y(0)=1, y'(0)=0.

Seeded bug (non_finite): the collocation grid is torch.linspace(0.0, T_MAX, N) and so
contains t = 0, where the residual term dy / t is a division by zero (y'(0) of the
network is not exactly 0), giving an infinite residual. The PDE loss is inf at step 0,
the backward pass produces NaN gradients, and from step 1 every parameter, loss and
prediction is NaN.

Measured (400 Adam steps): buggy: pde loss inf at epoch 0, nan from then on, final max
abs error vs J0 = nan. Fixed copy (grid starting at T_MAX / N_COLLOC instead of 0):
pde loss 3.5e-2 -> 2.0e-2, initial-condition loss 1.36 -> 1.1e-5, max abs error 0.38.
"""
# traindebug-expect: non_finite
import math
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

# Fit J0 (Bessel function of the first kind, order 0) on [0, 8] from the ODE
#   y'' + y'/t + y = 0,  y(0) = 1,  y'(0) = 0
T_MAX = 8.0
N_COLLOC = 128
EPOCHS = 400


class PINN(nn.Module):
    def __init__(self, width=32, depth=3):
        super().__init__()
        layers, d = [], 1
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.Tanh()]
            d = width
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, t):
        return self.net(t / T_MAX)


def derivatives(model, t):
    t = t.requires_grad_(True)
    y = model(t)
    dy = torch.autograd.grad(y, t, torch.ones_like(y), create_graph=True)[0]
    d2y = torch.autograd.grad(dy, t, torch.ones_like(dy), create_graph=True)[0]
    return y, dy, d2y


def ode_residual(model, t):
    y, dy, d2y = derivatives(model, t)
    return d2y + dy / t + y


def reference_j0(t, terms=30):
    out = torch.zeros_like(t)
    for k in range(terms):
        out = out + ((-1) ** k) * (t / 2) ** (2 * k) / float(math.factorial(k)) ** 2
    return out


model = PINN()
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
t_col = torch.linspace(0.0, T_MAX, N_COLLOC).unsqueeze(1)
t0 = torch.zeros(1, 1)

for epoch in range(EPOCHS):
    opt.zero_grad()
    res = ode_residual(model, t_col.clone())
    y0, dy0, _ = derivatives(model, t0.clone())
    loss_pde = res.pow(2).mean()
    loss_ic = (y0 - 1.0).pow(2).mean() + dy0.pow(2).mean()
    loss = loss_pde + 10.0 * loss_ic
    loss.backward()
    opt.step()
    if epoch % 50 == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:4d}  pde {loss_pde.item():.4e}  ic {loss_ic.item():.4e}")

with torch.no_grad():
    t_test = torch.linspace(0.0, T_MAX, 200).unsqueeze(1)
    err = (model(t_test) - reference_j0(t_test)).abs().max().item()
print(f"max abs error vs J0: {err:.4f}")

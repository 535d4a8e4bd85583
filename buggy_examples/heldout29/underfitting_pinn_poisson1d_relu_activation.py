"""Physics-informed neural network (PINN) for the 1-D Poisson problem
-u''(x) = (2 pi)^2 sin(2 pi x) on [0, 1] with u(0) = u(1) = 0 (exact solution
u = sin(2 pi x)).  MLP 1 -> 32 -> 32 -> 32 -> 1, residual computed with two
nested torch.autograd.grad calls on 128 fresh random collocation points per
step, boundary loss weighted x10, Adam lr 2e-3 with StepLR, 1500 steps,
argparse config.

Seeded bug: the hidden activations are nn.ReLU(), the default choice for an
ordinary MLP.  A ReLU network is piecewise linear in x, so its second
derivative u'' is exactly zero almost everywhere: the PDE residual is
-f(x) regardless of the weights and the residual loss cannot decrease.  Only
the boundary term trains (to ~0), the optimizer updates are perfectly
ordinary, and the network never fits the training (collocation) objective -
the model family simply cannot represent the required curvature.  A smooth
activation (tanh) is needed for PINNs.
Measured (fixed copy uses nn.Tanh()): final normalised PDE residual loss
0.514 vs 0.0041, RMSE against the exact solution 0.706 vs 0.030,
relative L2 error 1.001 vs 0.043.
"""
# traindebug-expect: underfitting
import argparse
import math
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

parser = argparse.ArgumentParser()
parser.add_argument("--width", type=int, default=32)
parser.add_argument("--depth", type=int, default=3)
parser.add_argument("--steps", type=int, default=1500)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--n-colloc", type=int, default=128)
parser.add_argument("--bc-weight", type=float, default=10.0)
args = parser.parse_args()

K = 2.0  # forcing frequency


def forcing(x):
    # -u'' = f  with  u(x) = sin(K*pi*x)  =>  f = (K*pi)^2 sin(K*pi*x)
    return (K * math.pi) ** 2 * torch.sin(K * math.pi * x)


def exact(x):
    return torch.sin(K * math.pi * x)


class PINN(nn.Module):
    def __init__(self, width, depth):
        super().__init__()
        layers = [nn.Linear(1, width), nn.ReLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.ReLU()]
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def pde_residual(model, x):
    x = x.requires_grad_(True)
    u = model(x)
    du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    d2u = torch.autograd.grad(du.sum(), x, create_graph=True)[0]
    return -d2u - forcing(x)


model = PINN(args.width, args.depth)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=600, gamma=0.5)

x_bc = torch.tensor([[0.0], [1.0]])
u_bc = torch.zeros(2, 1)
x_test = torch.linspace(0, 1, 201).unsqueeze(1)
scale = (K * math.pi) ** 2

t0 = time.time()
for step in range(1, args.steps + 1):
    x_c = torch.rand(args.n_colloc, 1)
    res = pde_residual(model, x_c) / scale
    loss_pde = res.pow(2).mean()
    loss_bc = (model(x_bc) - u_bc).pow(2).mean()
    loss = loss_pde + args.bc_weight * loss_bc

    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()

    if step % 300 == 0 or step == 1:
        with torch.no_grad():
            err = (model(x_test) - exact(x_test)).pow(2).mean().sqrt().item()
        print(f"step {step:5d}  pde {loss_pde.item():.4e}  bc {loss_bc.item():.4e}  rmse vs exact {err:.4f}")

with torch.no_grad():
    u_pred = model(x_test)
    rmse = (u_pred - exact(x_test)).pow(2).mean().sqrt().item()
    rel = rmse / exact(x_test).pow(2).mean().sqrt().item()
print(f"final: pde loss {loss_pde.item():.4e}  rmse {rmse:.4f}  relative L2 {rel:.3f}  ({time.time()-t0:.1f}s)")

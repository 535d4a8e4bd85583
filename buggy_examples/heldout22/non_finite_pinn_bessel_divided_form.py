"""Seeded bug (non_finite): the PINN writes the order-0 Bessel equation in divided form
u'' + u'/t + u = 0 and evaluates it on collocation points torch.linspace(0, t_max, ...),
which include t = 0. There u'(0)/0 is +-inf, so the PDE loss is inf at step 1, the
backward pass produces NaN gradients and every parameter becomes NaN after the first
Adam step.
Measured (300 steps): step 1 pde loss = inf, from step 50 on every loss and the error
to J0 are nan. The same script with the multiplied-through residual
t*u'' + u' + t*u: pde loss 1.6e-1 -> 4.1e-2, ic loss 1.2 -> 3.2e-5,
max|u - J0| 0.77 -> 0.197.
"""
# traindebug-expect: non_finite
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from scipy.special import j0

torch.set_num_threads(1)
torch.manual_seed(21)


@dataclass
class PINNConfig:
    t_max: float = 8.0
    n_colloc: int = 160
    width: int = 32
    depth: int = 3
    lr: float = 6e-3
    steps: int = 300
    w_ic: float = 10.0
    log_every: int = 50


class MLP(nn.Module):
    def __init__(self, width, depth):
        super().__init__()
        layers, d = [], 1
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.Tanh()]
            d = width
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, t):
        return self.net(t / 4.0 - 1.0)   # map [0, 8] -> [-1, 1]


def derivatives(model, t):
    t = t.clone().requires_grad_(True)
    u = model(t)
    du = torch.autograd.grad(u, t, torch.ones_like(u), create_graph=True)[0]
    d2u = torch.autograd.grad(du, t, torch.ones_like(du), create_graph=True)[0]
    return u, du, d2u


def bessel_residual(model, t):
    # Bessel equation of order 0:  u'' + u'/t + u = 0
    u, du, d2u = derivatives(model, t)
    return d2u + du / t + u


def initial_condition_loss(model):
    t0 = torch.zeros(1, 1)
    u0, du0, _ = derivatives(model, t0)
    return (u0 - 1.0).pow(2).mean() + du0.pow(2).mean()


def main(cfg=PINNConfig()):
    model = MLP(cfg.width, cfg.depth)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    t_col = torch.linspace(0.0, cfg.t_max, cfg.n_colloc).unsqueeze(1)
    t_eval = torch.linspace(0.0, cfg.t_max, 400).unsqueeze(1)
    ref = torch.tensor(j0(t_eval.numpy()), dtype=torch.float32)

    for step in range(1, cfg.steps + 1):
        res = bessel_residual(model, t_col)
        loss_pde = res.pow(2).mean()
        loss_ic = initial_condition_loss(model)
        loss = loss_pde + cfg.w_ic * loss_ic
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % cfg.log_every == 0 or step == 1:
            with torch.no_grad():
                err = (model(t_eval) - ref).abs().max().item()
            print(f"step {step:4d}  pde {loss_pde.item():.3e}  ic {loss_ic.item():.3e}  max|u-J0| {err:.3e}")


if __name__ == "__main__":
    main()

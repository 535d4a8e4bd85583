"""
Physics-informed network for the steady 1-D heat equation with a source,
-(k u')' = f on [0, 1] with k = 1 and Dirichlet data u(0) = 0.5, u(1) = -0.2; exact solution
u(x) = 0.5 - 0.7 x + sin(2 pi x) x (1 - x). MLP 1 -> 40 -> 40 -> 1 with tanh (Xavier init),
derivatives via autograd. The boundary conditions are imposed as equality constraints with
an augmented Lagrangian: loss = PDE residual + lambda . c + (mu / 2) |c|^2, where c holds the
two boundary violations. Adam lr 3e-3 updates the network every step; every 50 steps the
multipliers get a manual dual-ascent update lambda <- lambda + mu * c (no autograd), 500 steps.

Healthy control: this is the textbook method-of-multipliers treatment of constraints in PINNs;
the multipliers are deliberately not optimizer parameters and the primal loss is minimised
normally, and the solution converges towards the exact one.

Possible false alarm: the total loss is not a plain sum of squares: the lambda . c term can make
it negative or jump when the multipliers are updated every 50 steps, which a naive detector
could read as loss spikes / oscillation (lr_too_high) or as a "parameter" (lambda) that changes
outside the optimizer.

Measured (seed 0, 1 thread): final PDE residual loss 1.8e-02, boundary violation
|c| 2.0e-02, test relative L2 error 0.025.
"""
# traindebug-expect: clean
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

TWO_PI = 2 * math.pi


def exact(x):
    return 0.5 - 0.7 * x + torch.sin(TWO_PI * x) * x * (1 - x)


def source(x):
    x = x.detach().clone().requires_grad_(True)
    u = exact(x)
    du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    d2u = torch.autograd.grad(du.sum(), x)[0]
    return -d2u


net = nn.Sequential(nn.Linear(1, 40), nn.Tanh(), nn.Linear(40, 40), nn.Tanh(), nn.Linear(40, 1))
for m in net:
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)
        nn.init.zeros_(m.bias)

x_bc = torch.tensor([[0.0], [1.0]])
u_bc = exact(x_bc)
x_grid = torch.linspace(0, 1, 401).unsqueeze(1)
u_grid = exact(x_grid)

mu = 10.0
lam = torch.zeros(2, 1)
optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)

for step in range(1, 501):
    x = torch.rand(64, 1, requires_grad=True)
    u = net(x)
    du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    d2u = torch.autograd.grad(du.sum(), x, create_graph=True)[0]
    residual = -d2u - source(x)
    loss_pde = residual.pow(2).mean()
    c = net(x_bc) - u_bc
    loss = loss_pde + (lam * c).sum() + 0.5 * mu * c.pow(2).sum()

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    if step % 50 == 0:
        with torch.no_grad():
            c = net(x_bc) - u_bc
            lam += mu * c
            rel = ((net(x_grid) - u_grid).norm() / u_grid.norm()).item()
        if step % 100 == 0:
            print(f"step {step:3d}  loss {loss.item():+.4f}  pde {loss_pde.item():.3e}  "
                  f"|c| {c.norm().item():.2e}  lambda {lam.squeeze().tolist()}  rel_l2 {rel:.4f}")

print(f"final: pde {loss_pde.item():.3e}  bc_violation {c.norm().item():.2e}  test_rel_l2 {rel:.4f}")

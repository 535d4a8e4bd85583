"""
Physics-informed network for the 1-D Poisson problem u''(x) = f(x) on [0, 1] with Dirichlet
boundary values, exact solution u(x) = sin(3 pi x) + 0.3 x. MLP 1 -> 64 -> 64 -> 64 -> 1 with
tanh, second derivative from torch.autograd.grad(create_graph=True), loss = mean squared PDE
residual on 128 random collocation points per step + 10 * boundary loss, Adam lr 2e-3, 400 steps.
Test metric: relative L2 error of u on a 401-point grid.

Seeded bug: the author wanted Xavier initialisation with the tanh gain and wrote
`nn.init.normal_(layer.weight, std=nn.init.calculate_gain("tanh"))`, using the gain (5/3) as
the standard deviation itself instead of scaling the fan-based Xavier std (~0.18 here) by it.
The hidden pre-activations start with std of order 10, so most tanh units sit at +-1 where
tanh' ~ 0 (and tanh'' ~ 0): the network's u'' is tiny and nearly piecewise flat, the residual
gradients through the saturated layers vanish and the fit stalls far from the solution.

Measured (seed 0, 1 thread): fraction of layer-2/3 tanh units with |a| > 0.99 at init 0.72
(fixed: 0.00). Buggy: final PDE loss 1.0e+04, test relative L2 error 1.05. Fixed copy
(`nn.init.xavier_normal_(layer.weight, gain=...)`): final PDE loss 7.0e-02, rel. L2 error 0.016.
"""
# traindebug-expect: saturated_units
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

PI = math.pi


def exact(x):
    return torch.sin(3 * PI * x) + 0.3 * x


def source(x):
    return -(3 * PI) ** 2 * torch.sin(3 * PI * x)


class PINN(nn.Module):
    def __init__(self, width=64, depth=3):
        super().__init__()
        dims = [1] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(width, 1)
        gain = nn.init.calculate_gain("tanh")
        for layer in self.hidden:
            nn.init.normal_(layer.weight, std=gain)
            nn.init.zeros_(layer.bias)
        nn.init.xavier_normal_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def features(self, x):
        acts = []
        for layer in self.hidden:
            x = torch.tanh(layer(x))
            acts.append(x)
        return acts

    def forward(self, x):
        return self.out(self.features(x)[-1])


def pde_residual(model, x):
    x = x.requires_grad_(True)
    u = model(x)
    du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    d2u = torch.autograd.grad(du.sum(), x, create_graph=True)[0]
    return d2u - source(x)


model = PINN()
x_grid = torch.linspace(0, 1, 401).unsqueeze(1)
with torch.no_grad():
    acts = torch.cat(model.features(x_grid)[1:], dim=1)
print(f"saturated hidden units at init: {acts.abs().gt(0.99).float().mean().item():.2f}")

x_bc = torch.tensor([[0.0], [1.0]])
u_bc = exact(x_bc)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for step in range(1, 401):
    x_col = torch.rand(128, 1)
    loss_pde = pde_residual(model, x_col).pow(2).mean()
    loss_bc = (model(x_bc) - u_bc).pow(2).mean()
    loss = loss_pde + 10.0 * loss_bc
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 80 == 0:
        with torch.no_grad():
            u_true = exact(x_grid)
            rel = (model(x_grid) - u_true).norm() / u_true.norm()
        print(f"step {step:3d}  pde {loss_pde.item():.3e}  bc {loss_bc.item():.3e}  rel_l2 {rel.item():.3f}")

print(f"final: pde_loss {loss_pde.item():.3e}  test_rel_l2 {rel.item():.3f}")

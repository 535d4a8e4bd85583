"""
Physics-informed inverse problem: recover the damping c and stiffness k of a damped oscillator
u'' + c u' + k u = 0 (true c = 1.2, k = 40, u(0) = 1, u'(0) = 0) from 30 noisy observations on
t in [0, 1.5]. Surrogate u_theta(t): MLP 1 -> 32 -> 32 -> 1 with tanh; unknown coefficients
are stored as log-parameters on the same module. Loss = data MSE + 0.01 * mean squared ODE
residual on 64 collocation points (derivatives via autograd) + initial-condition terms;
Adam lr 8e-3, 700 full-batch steps. Metrics: recovered c and k, test MSE of u against the
exact solution on a dense grid.

Seeded bug: the inverse-problem version was grown out of a forward-solver script, and the
optimizer is still built as `torch.optim.Adam(model.net.parameters(), ...)`. The new
`log_c` / `log_k` parameters live on the model and receive gradients from the residual term
every step, but are never handed to the optimizer, so they stay at their initial guess
(c = 0.5, k = 10); the network is pulled between the data and a wrong ODE.

Measured (seed 0, 1 thread): Buggy: c = 0.50, k = 10.00 (unchanged), final data MSE 0.220,
test MSE of u 0.228. Fixed copy (`model.parameters()`): c = 1.59, k = 37.2 (still converging),
final data MSE 0.011, test MSE of u 0.011.
"""
# traindebug-expect: frozen_or_unoptimized
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

C_TRUE, K_TRUE = 1.2, 40.0
T_END = 1.5


def exact_solution(t):
    zeta_w = C_TRUE / 2
    wd = math.sqrt(K_TRUE - zeta_w ** 2)
    return torch.exp(-zeta_w * t) * (torch.cos(wd * t) + zeta_w / wd * torch.sin(wd * t))


t_obs = torch.rand(30, 1) * T_END
u_obs = exact_solution(t_obs) + 0.02 * torch.randn(30, 1)
t_col = torch.linspace(0, T_END, 64).unsqueeze(1)
t_test = torch.linspace(0, T_END, 500).unsqueeze(1)


class OscillatorPINN(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(1, width), nn.Tanh(),
            nn.Linear(width, width), nn.Tanh(),
            nn.Linear(width, 1),
        )
        self.log_c = nn.Parameter(torch.tensor(math.log(0.5)))
        self.log_k = nn.Parameter(torch.tensor(math.log(10.0)))

    def forward(self, t):
        return self.net(t / T_END)

    def residual(self, t):
        t = t.clone().requires_grad_(True)
        u = self(t)
        du = torch.autograd.grad(u.sum(), t, create_graph=True)[0]
        d2u = torch.autograd.grad(du.sum(), t, create_graph=True)[0]
        return d2u + self.log_c.exp() * du + self.log_k.exp() * u, u, du


model = OscillatorPINN()
optimizer = torch.optim.Adam(model.net.parameters(), lr=8e-3)
t0 = torch.zeros(1, 1)

for step in range(1, 701):
    res, _, _ = model.residual(t_col)
    _, u0, du0 = model.residual(t0)
    loss_data = (model(t_obs) - u_obs).pow(2).mean()
    loss_phys = res.pow(2).mean()
    loss_ic = (u0 - 1.0).pow(2).mean() + du0.pow(2).mean()
    loss = loss_data + 0.01 * loss_phys + loss_ic
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        print(f"step {step:4d}  data {loss_data.item():.4f}  phys {loss_phys.item():.3f}  "
              f"c {model.log_c.exp().item():.2f}  k {model.log_k.exp().item():.2f}")

with torch.no_grad():
    test_mse = (model(t_test) - exact_solution(t_test)).pow(2).mean().item()
print(f"final: c {model.log_c.exp().item():.2f} (true {C_TRUE})  k {model.log_k.exp().item():.2f} "
      f"(true {K_TRUE})  data_mse {loss_data.item():.4f}  test_mse {test_mse:.4f}")

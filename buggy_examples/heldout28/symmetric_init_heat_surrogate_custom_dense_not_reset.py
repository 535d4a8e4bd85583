"""Neural surrogate for the 1-D heat equation u_t = kappa u_xx with a three-mode initial condition:
a 4x64 tanh MLP maps (x, t, log10 kappa) to u, trained on fresh analytic samples (256 per step,
400 steps), Adam lr 3e-3 with StepLR, MSE; relative L2 error reported on 4000 test points.
The layers are a small custom Dense module (weights stored (in, out) for x @ W).

Seeded bug: Dense creates its weights with torch.zeros and provides reset_parameters(), but the
model's init_weights() only calls reset_parameters() on isinstance(m, nn.Linear) modules
(copied from an nn.Linear-based version). No Dense layer is ever initialised, so every hidden
unit is identical (all zero): hidden activations are tanh(0) = 0, all weight gradients are zero
and only the output bias learns. The surrogate predicts a constant.

Measured: buggy final test MSE 0.196, relative L2 0.665 (test variance 0.097). Fixed copy
(isinstance(m, Dense)): final test MSE 0.0033, relative L2 0.087.
"""
# traindebug-expect: symmetric_init
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(7)


def heat_solution(x, t, kappa):
    """u_t = kappa u_xx on [0, 1], u(0)=u(1)=0, u(x, 0) = sin(pi x) + 0.5 sin(2 pi x) - 0.3 sin(3 pi x)."""
    u = torch.zeros_like(x)
    for k, c in ((1, 1.0), (2, 0.5), (3, -0.3)):
        u = u + c * torch.exp(-kappa * (k * math.pi) ** 2 * t) * torch.sin(k * math.pi * x)
    return u


def sample(n):
    x = torch.rand(n)
    t = torch.rand(n) * 0.2
    kappa = 10 ** torch.empty(n).uniform_(-2, 0)       # diffusivity 0.01 .. 1
    inputs = torch.stack([x, t / 0.2, torch.log10(kappa)], dim=1)
    return inputs, heat_solution(x, t, kappa)


class Dense(nn.Module):
    """Linear layer with weights stored as (in, out) so the forward is a plain matmul."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(d_in, d_out))
        self.bias = nn.Parameter(torch.zeros(d_out))

    def reset_parameters(self):
        bound = math.sqrt(6.0 / (self.weight.shape[0] + self.weight.shape[1]))
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.zeros_(self.bias)

    def forward(self, x):
        return x @ self.weight + self.bias


class HeatSurrogate(nn.Module):
    def __init__(self, width=64, depth=4):
        super().__init__()
        dims = [3] + [width] * depth
        self.hidden = nn.ModuleList(Dense(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = Dense(width, 1)
        self.init_weights()

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                m.reset_parameters()

    def forward(self, z):
        h = z
        for layer in self.hidden:
            h = torch.tanh(layer(h))
        return self.out(h).squeeze(-1)


X_test, u_test = sample(4000)
model = HeatSurrogate()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=200, gamma=0.3)

for step in range(1, 401):
    xb, ub = sample(256)
    loss = torch.mean((model(xb) - ub) ** 2)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 80 == 0:
        with torch.no_grad():
            test_mse = torch.mean((model(X_test) - u_test) ** 2).item()
        print(f"step {step:4d}  batch mse {loss.item():.5f}  test mse {test_mse:.5f}")

with torch.no_grad():
    pred = model(X_test)
    test_mse = torch.mean((pred - u_test) ** 2).item()
    rel_l2 = (torch.linalg.norm(pred - u_test) / torch.linalg.norm(u_test)).item()
print(f"final test mse {test_mse:.5f}  relative L2 error {rel_l2:.3f}")

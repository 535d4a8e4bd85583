"""Physics-style displacement model for a forced nonlinear damper. Each sample is a
1-D forcing signal u(t) (sum of random sinusoids, 100 samples, dt = 0.05); the velocity follows a
nonlinear static law v(t) = tanh(2 u(t)) + 0.3 u(t-3)^2 and the observed quantity is the
displacement x(t) = integral_0^t v ds. A small 1-D conv net (1 -> 32 -> 32 -> 1 channels, kernel
7, causal padding, GELU) predicts v(t) from u, and a hand-written integrator (a
torch.autograd.Function around cumsum, kept custom so it can later be swapped for a trapezoidal
rule) turns it into x(t). MSE on x against the simulated displacement, Adam lr 3e-3, batches of
32 from a 512-signal training set, 300 steps.

Seeded bug: the backward of the custom cumulative integral returns grad_out.cumsum(dim) * dt.
The adjoint of a prefix sum is a suffix sum (grad_out.flip(dim).cumsum(dim).flip(dim) * dt): a
velocity sample at time t influences every displacement at times >= t, not <= t. The author
assumed cumsum is "self-adjoint" like a symmetric operator, so gradients disagree with finite
differences and credit is assigned to the wrong time steps (the wrong "gradient" is not even a
descent direction, so the loss climbs).

Measured (plain python, 1 thread): train MSE grows from ~1 to 3.8e6 (val 3.3e6) with the bug
versus final train MSE 0.0016 / val 0.0016 for a fixed copy using the reversed cumulative sum in
backward.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

T, DT = 100, 0.05


def make_signals(n):
    t = np.arange(T) * DT
    u = np.zeros((n, T))
    for _ in range(3):
        amp = rng.uniform(0.2, 0.8, (n, 1))
        freq = rng.uniform(0.2, 2.0, (n, 1))
        phase = rng.uniform(0, 2 * np.pi, (n, 1))
        u += amp * np.sin(2 * np.pi * freq * t + phase)
    u_lag = np.concatenate([np.zeros((n, 3)), u[:, :-3]], axis=1)
    v = np.tanh(2 * u) + 0.3 * u_lag ** 2
    x = np.cumsum(v, axis=1) * DT
    return (torch.tensor(u, dtype=torch.float32).unsqueeze(1),
            torch.tensor(x, dtype=torch.float32))


u_train, x_train = make_signals(512)
u_val, x_val = make_signals(128)


class CumulativeIntegral(torch.autograd.Function):
    """Left Riemann cumulative integral along `dim`."""

    @staticmethod
    def forward(ctx, v, dt, dim):
        ctx.dt, ctx.dim = dt, dim
        return torch.cumsum(v, dim=dim) * dt

    @staticmethod
    def backward(ctx, grad_out):
        grad_v = torch.cumsum(grad_out, dim=ctx.dim) * ctx.dt
        return grad_v, None, None


def integrate(v, dt=DT, dim=-1):
    return CumulativeIntegral.apply(v, dt, dim)


class CausalConv(nn.Conv1d):
    def forward(self, x):
        pad = (self.kernel_size[0] - 1) * self.dilation[0]
        return super().forward(F.pad(x, (pad, 0)))


class VelocityNet(nn.Module):
    def __init__(self, ch=32, k=7):
        super().__init__()
        self.c1 = CausalConv(1, ch, k)
        self.c2 = CausalConv(ch, ch, k)
        self.head = nn.Conv1d(ch, 1, 1)

    def forward(self, u):
        h = F.gelu(self.c1(u))
        h = F.gelu(self.c2(h))
        return self.head(h).squeeze(1)


model = VelocityNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)


def evaluate(u, x):
    with torch.no_grad():
        return F.mse_loss(integrate(model(u)), x).item()


step = 0
while step < 300:
    perm = torch.randperm(u_train.shape[0])
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        pred_x = integrate(model(u_train[idx]))
        loss = F.mse_loss(pred_x, x_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  train mse {loss.item():.5f}  val mse {evaluate(u_val, x_val):.5f}")
        if step == 300:
            break

print(f"final train mse {evaluate(u_train, x_train):.5f}  val mse {evaluate(u_val, x_val):.5f}")

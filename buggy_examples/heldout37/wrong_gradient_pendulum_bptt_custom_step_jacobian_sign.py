"""
Policy optimisation by back-propagation through a hand-written pendulum simulator
(analytic policy gradients). Task: keep an inverted pendulum upright: start within
+-0.4 rad of the top with small random velocity, 40 semi-implicit Euler steps of 0.05 s,
cost = mean of (1 - cos(theta - pi)) + 0.05 omega^2 + 1e-3 u^2 over the horizon.
Policy MLP 3-64-64-1 (tanh) on [cos theta, sin theta, omega], torque = 5 tanh(out).
The simulator step is a custom torch.autograd.Function with an analytic Jacobian (faster
than letting autograd trace sin/cos and the Euler update). Adam lr 3e-3, batch 32 initial
states, 150 updates, gradient-norm clipping at 10.

Seeded bug: in PendulumStep.backward the derivative of the angular acceleration with
respect to theta is written as +g/l * cos(theta) instead of -g/l * cos(theta) (the sign of
the gravity term is dropped when differentiating -g/l * sin(theta)). The forward pass is
correct, so the rollouts and the reported cost are genuine, but the gradient that reaches
the policy describes a different system. A classic hand-derivation slip.

Measured (seed 0, 1 thread): buggy: final mean rollout cost 0.915 on 128 held-out start
states (pendulum falls; uncontrolled baseline 1.168). Fixed copy (correct sign, passes
torch.autograd.gradcheck): final cost 0.0112 (pendulum held upright).
"""
# traindebug-expect: wrong_gradient
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

G, L, M, DAMP, DT = 9.81, 1.0, 1.0, 0.1, 0.05
HORIZON, U_MAX = 40, 5.0


class PendulumStep(torch.autograd.Function):
    @staticmethod
    def forward(ctx, theta, omega, u):
        acc = -G / L * torch.sin(theta) - DAMP * omega + u / (M * L * L)
        omega_next = omega + DT * acc
        theta_next = theta + DT * omega_next
        ctx.save_for_backward(theta)
        return theta_next, omega_next

    @staticmethod
    def backward(ctx, g_theta_next, g_omega_next):
        theta, = ctx.saved_tensors
        dacc_dtheta = G / L * torch.cos(theta)
        dacc_domega = -DAMP
        dacc_du = 1.0 / (M * L * L)
        # omega_next = omega + DT*acc ; theta_next = theta + DT*omega_next
        g_omega_total = g_omega_next + DT * g_theta_next
        g_theta = g_theta_next + g_omega_total * DT * dacc_dtheta
        g_omega = g_omega_total * (1.0 + DT * dacc_domega)
        g_u = g_omega_total * DT * dacc_du
        return g_theta, g_omega, g_u


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                                 nn.Linear(64, 1))

    def forward(self, theta, omega):
        obs = torch.stack([torch.cos(theta), torch.sin(theta), omega], -1)
        return U_MAX * torch.tanh(self.net(obs).squeeze(-1))


def sample_starts(n):
    theta = math.pi + (torch.rand(n) * 2 - 1) * 0.4
    omega = (torch.rand(n) * 2 - 1) * 0.3
    return theta, omega


def rollout(policy, theta, omega):
    cost = 0.0
    for _ in range(HORIZON):
        u = policy(theta, omega) if policy is not None else torch.zeros_like(theta)
        theta, omega = PendulumStep.apply(theta, omega, u)
        cost = cost + (1 - torch.cos(theta - math.pi)) + 0.05 * omega ** 2 + 1e-3 * u ** 2
    return (cost / HORIZON).mean()


policy = Policy()
opt = torch.optim.Adam(policy.parameters(), lr=3e-3)
eval_theta, eval_omega = sample_starts(128)
with torch.no_grad():
    print(f"uncontrolled cost {rollout(None, eval_theta, eval_omega).item():.4f}")

for it in range(1, 151):
    theta0, omega0 = sample_starts(32)
    loss = rollout(policy, theta0, omega0)
    opt.zero_grad()
    loss.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(policy.parameters(), 10.0)
    opt.step()
    if it % 40 == 0:
        with torch.no_grad():
            ev = rollout(policy, eval_theta, eval_omega).item()
        print(f"iter {it:3d}  train cost {loss.item():.4f}  grad norm {gnorm:.3f}  eval cost {ev:.4f}")

with torch.no_grad():
    final = rollout(policy, eval_theta, eval_omega).item()
print(f"final eval cost {final:.4f}")

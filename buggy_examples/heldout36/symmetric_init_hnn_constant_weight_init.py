"""Hamiltonian neural network (Greydanus et al. 2019) for an ideal pendulum.

A scalar network H_theta(q, p) (3 tanh layers of width 64) is trained so that its
symplectic gradient (dH/dp, -dH/dq), obtained with torch.autograd.grad(create_graph=True),
matches noisy observed time derivatives of generated pendulum states.  Custom nn.Module
with its own weight-init method, Adam, minibatches of 128, 225 optimizer steps; evaluation
by the held-out derivative MSE and an RK4 rollout of the learned field.

Seeded bug: `_init_weights` sets every Linear weight to the constant 1/fan_in (and biases
to 0), meant as "start H as a small, smooth function".  Every hidden unit of a layer then
computes exactly the same function and receives exactly the same gradient, so the units
stay identical for the whole run: the network is effectively one unit wide, H can only
depend on q + p, and the learned field is restricted to (g'(q+p), -g'(q+p)).
Realistic: constant init is harmless for the linear models the author was used to.

Measured (seed 0, 225 steps): buggy final train loss 0.632, test derivative MSE 0.630,
rollout MAE 0.897; fixed copy (default PyTorch init, init method removed): train loss
0.0068, test MSE 0.0042, rollout MAE 0.086.
"""
# traindebug-expect: symmetric_init
import time

import numpy as np
import torch
import torch.nn as nn


class HNN(nn.Module):
    def __init__(self, hidden=64, depth=3):
        super().__init__()
        layers, d = [], 2
        for _ in range(depth):
            layers += [nn.Linear(d, hidden), nn.Tanh()]
            d = hidden
        layers.append(nn.Linear(d, 1))
        self.H = nn.Sequential(*layers)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 1.0 / m.in_features)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        if not x.requires_grad:
            x = x.requires_grad_(True)
        H = self.H(x).sum()
        dH = torch.autograd.grad(H, x, create_graph=True)[0]
        dHdq, dHdp = dH[:, :1], dH[:, 1:]
        return torch.cat([dHdp, -dHdq], dim=1)


def pendulum_field(x):
    q, p = x[:, :1], x[:, 1:]
    return np.concatenate([p, -np.sin(q)], axis=1)


def make_dataset(n, rng, noise=0.05):
    energy = rng.uniform(0.2, 1.8, n)
    q0 = rng.uniform(-np.pi, np.pi, n)
    # sample states on random energy shells where they exist, else fall back to p from energy
    p2 = 2 * (energy - (1 - np.cos(q0)))
    p0 = np.sign(rng.standard_normal(n)) * np.sqrt(np.clip(p2, 0, None))
    x = np.stack([q0, p0], 1)
    dx = pendulum_field(x) + noise * rng.standard_normal((n, 2))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(dx, dtype=torch.float32)


def rk4_rollout(model, x0, dt=0.1, steps=50):
    xs = [x0]
    x = x0
    for _ in range(steps):
        k1 = model(x).detach()
        k2 = model(x + 0.5 * dt * k1).detach()
        k3 = model(x + 0.5 * dt * k2).detach()
        k4 = model(x + dt * k3).detach()
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        xs.append(x)
    return torch.stack(xs)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_train, dx_train = make_dataset(2000, rng)
    x_test, dx_test = make_dataset(500, rng, noise=0.0)

    model = HNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]

    n, bs, step = len(x_train), 128, 0
    for epoch in range(15):
        perm = torch.randperm(n)
        for i in range(0, n - bs + 1, bs):
            idx = perm[i:i + bs]
            pred = model(x_train[idx].clone())
            loss = ((pred - dx_train[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            if step % 60 == 0:
                g_first = linears[0].weight.grad.norm().item()
                g_last = linears[-1].weight.grad.norm().item()
                print(f"step {step:3d} loss {loss.item():.4f}  |g| first {g_first:.2e} last {g_last:.2e}")
            opt.step()
            step += 1

    test_mse = ((model(x_test.clone()).detach() - dx_test) ** 2).mean().item()
    x0 = torch.tensor([[1.0, 0.0]])
    x0_np = x0.numpy().copy()
    traj = rk4_rollout(model, x0)
    true = [x0_np]
    xt = x0_np
    for _ in range(50):
        f = pendulum_field
        k1 = f(xt); k2 = f(xt + 0.05 * k1); k3 = f(xt + 0.05 * k2); k4 = f(xt + 0.1 * k3)
        xt = xt + 0.1 / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        true.append(xt)
    roll_err = np.abs(traj.squeeze(1).detach().numpy() - np.concatenate(true)).mean()
    print(f"steps {step}  final train loss {loss.item():.4f}  test derivative MSE {test_mse:.4f}  "
          f"rollout MAE {roll_err:.4f}")


if __name__ == "__main__":
    t0 = time.process_time()
    main()
    print(f"cpu time {time.process_time() - t0:.1f}s")

"""Neural ODE fitted to trajectories of a damped nonlinear pendulum (state [theta, omega]).
The vector field f(x) is an MLP 2 -> 64 -> 64 -> 2 (tanh); trajectories are rolled out with an
explicit Euler loop (30 steps, dt=0.1) written by hand, and the loss is the MSE between the
rolled-out and the simulated trajectories. 256 training / 64 validation trajectories,
random mini-batches of 32, Adam lr 3e-3, 300 steps.

Seeded bug: optimizer.zero_grad() sits at the end of the loop body but was indented one level too
far, into the `if step % LOG_EVERY == 0:` logging block. Gradients are therefore only reset every
25 steps and accumulate in between: each update follows a running sum of up to 25 stale
gradients from earlier batches and parameter values, so Adam keeps pushing in outdated directions
- a typical indentation slip when a logging block is appended.

Measured (plain python, 1 thread): final train MSE 0.597 / val MSE 0.600 with the bug versus
train 0.0036 / val 0.0037 for a fixed copy (zero_grad before every backward).
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

DT = 0.1
N_STEPS = 30
BATCH = 32
TOTAL_STEPS = 300
LOG_EVERY = 25


def simulate(x0, n_steps, dt, damping=0.25, substeps=20):
    """Ground-truth damped pendulum with a fine RK2 integrator."""
    traj = [x0.copy()]
    x = x0.copy()
    h = dt / substeps
    for _ in range(n_steps - 1):
        for _ in range(substeps):
            def f(s):
                return np.stack([s[:, 1], -np.sin(s[:, 0]) - damping * s[:, 1]], axis=1)
            k1 = f(x)
            k2 = f(x + h * k1)
            x = x + 0.5 * h * (k1 + k2)
        traj.append(x.copy())
    return np.stack(traj, axis=1)  # (n, T, 2)


x0_all = np.random.uniform([-2.0, -1.0], [2.0, 1.0], size=(320, 2))
traj_all = torch.tensor(simulate(x0_all, N_STEPS, DT), dtype=torch.float32)
train_traj, val_traj = traj_all[:256], traj_all[256:]


class VectorField(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.Tanh(),
            nn.Linear(hidden, hidden), nn.Tanh(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x):
        return self.net(x)


def rollout(func, x0, n_steps, dt):
    xs = [x0]
    x = x0
    for _ in range(n_steps - 1):
        x = x + dt * func(x)
        xs.append(x)
    return torch.stack(xs, dim=1)


func = VectorField()
optimizer = torch.optim.Adam(func.parameters(), lr=3e-3)


def evaluate(traj):
    with torch.no_grad():
        pred = rollout(func, traj[:, 0], N_STEPS, DT)
        return F.mse_loss(pred, traj).item()


for step in range(1, TOTAL_STEPS + 1):
    idx = torch.randint(0, train_traj.shape[0], (BATCH,))
    batch = train_traj[idx]
    pred = rollout(func, batch[:, 0], N_STEPS, DT)
    loss = F.mse_loss(pred, batch)
    loss.backward()
    optimizer.step()

    if step % LOG_EVERY == 0:
        print(f"step {step:4d}  batch mse {loss.item():.4f}  val mse {evaluate(val_traj):.4f}")
        optimizer.zero_grad()

print(f"final train mse {evaluate(train_traj):.4f}  val mse {evaluate(val_traj):.4f}")

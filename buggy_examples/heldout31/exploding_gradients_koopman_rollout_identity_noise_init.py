"""
Koopman-style latent linear dynamics model for two coupled damped oscillators (4-D state,
Euler-simulated trajectories): MLP encoder 4 -> 64 -> 32, a linear latent operator K (32x32),
linear decoder 32 -> 4. Trained to predict 40 steps ahead by applying K repeatedly
(z_{t+1} = K z_t) plus a reconstruction term. Adam lr 1e-3, batch 64, 200 steps, dataclass config.

Seeded bug: K is initialised as "identity plus a little noise" with noise std 0.1 that is not
scaled by 1/sqrt(latent_dim). The eigenvalues of I + 0.1*randn(32,32) spread over a disc of
radius 0.1*sqrt(32) = 0.57 around 1, so the largest has modulus ~1.5 and the 40-step rollout
multiplies latent states and back-propagated gradients by ~1.5^40 (about 1e7). Gradient norm at
step 1 is ~6e11 and stays around 1e8; Adam cannot recover in the budget.

Measured (seed 0, 1 thread): buggy: step-1 loss 1.0e10, grad norm 6.2e11; step 200 loss 8.9e5,
grad norm 5.2e7; final test 40-step rollout MSE 7.6e5 (zero predictor 0.35). Fixed copy (noise
std 0.1/sqrt(32)): step-1 grad norm 35, step 200 grad norm 0.64, final test rollout MSE 0.0011.
"""
# traindebug-expect: exploding_gradients
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Cfg:
    state_dim: int = 4
    latent_dim: int = 32
    rollout: int = 40
    n_traj: int = 256
    traj_len: int = 80
    batch_size: int = 64
    steps: int = 200
    lr: float = 1e-3
    log_every: int = 25


def simulate(cfg, rng):
    """Two coupled damped oscillators integrated with small Euler steps."""
    dt = 0.05
    x = rng.uniform(-1, 1, (cfg.n_traj, 4))
    out = np.zeros((cfg.n_traj, cfg.traj_len, 4), dtype=np.float32)
    for t in range(cfg.traj_len):
        out[:, t] = x
        q1, p1, q2, p2 = x.T
        dp1 = -q1 - 0.5 * (q1 - q2) - 0.05 * p1
        dp2 = -1.5 * q2 - 0.5 * (q2 - q1) - 0.05 * p2
        x = x + dt * np.stack([p1, dp1, p2, dp2], axis=1)
    return out


class KoopmanAE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.latent_dim
        self.encoder = nn.Sequential(nn.Linear(cfg.state_dim, 64), nn.Tanh(), nn.Linear(64, d))
        self.decoder = nn.Linear(d, cfg.state_dim)
        self.K = nn.Linear(d, d, bias=False)
        with torch.no_grad():
            # start close to the identity map (persistence), plus a little noise
            nn.init.eye_(self.K.weight)
            self.K.weight.add_(0.1 * torch.randn(d, d))

    def forward(self, x0, steps):
        z = self.encoder(x0)
        zs = []
        for _ in range(steps):
            z = self.K(z)
            zs.append(z)
        return self.decoder(torch.stack(zs, dim=1)), self.decoder(self.encoder(x0))


cfg = Cfg()
rng = np.random.default_rng(0)
data = torch.tensor(simulate(cfg, rng))
train, test = data[:200], data[200:]
model = KoopmanAE(cfg)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)


def sample_batch(traj, n):
    i = torch.randint(0, len(traj), (n,))
    t0 = torch.randint(0, cfg.traj_len - cfg.rollout, (n,))
    ar = torch.arange(cfg.rollout + 1)
    seg = traj[i[:, None], t0[:, None] + ar[None, :]]
    return seg[:, 0], seg[:, 1:]


for step in range(1, cfg.steps + 1):
    x0, future = sample_batch(train, cfg.batch_size)
    pred, recon = model(x0, cfg.rollout)
    loss = nn.functional.mse_loss(pred, future) + nn.functional.mse_loss(recon, x0)
    opt.zero_grad()
    loss.backward()
    gnorm = torch.norm(torch.stack([p.grad.norm() for p in model.parameters()])).item()
    opt.step()
    if step % cfg.log_every == 0 or step == 1:
        print(f"step {step:4d} loss {loss.item():.4e} grad norm {gnorm:.3e}")

with torch.no_grad():
    x0, future = test[:, 0], test[:, 1:cfg.rollout + 1]
    pred, _ = model(x0, cfg.rollout)
    test_mse = nn.functional.mse_loss(pred, future).item()
print(f"final test rollout mse {test_mse:.4f} (zero predictor {future.pow(2).mean().item():.4f})")

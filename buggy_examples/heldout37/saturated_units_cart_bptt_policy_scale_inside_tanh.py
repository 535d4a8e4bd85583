"""
Differentiable-simulation control of a cart on a frictional track (hand-written
double-integrator dynamics in torch, 1 kg cart, force limit 20 N). Task: drive the cart
from a random start in [-1, 1] m (random velocity) to the origin and stop there;
50 steps of 0.06 s, cost = mean(x^2 + 0.1 v^2 + 1e-4 F^2). The policy MLP 2-64-64-1 (tanh)
sees [x, v] and its output is squashed to the force range. Trained by back-propagation
through the rollout (analytic policy gradient), RMSprop lr 1e-3, batch 64 start states,
160 updates, organised as a small Trainer class with a logging callback.

Seeded bug: the squashing line is written as torch.tanh(self.net(obs) * self.max_force)
instead of self.max_force * torch.tanh(self.net(obs)): the force limit (20) scales the
pre-activation instead of the output. The output tanh unit therefore receives inputs
around +-10..30 and sits in its flat region almost always: the controller is bang-bang
(+-1 N), the derivative of tanh is ~0, and almost no gradient reaches the network. A
realistic precedence slip when rescaling a squashed action.

Measured (seed 0, 1 thread): buggy: final eval cost 0.0869 (flat from update 50 on),
18 % of all force outputs at |tanh| > 0.99. Fixed copy (max_force * tanh(...)): final
eval cost 0.0363, 0.02 % of outputs near the limit.
"""
# traindebug-expect: saturated_units
from dataclasses import dataclass

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class CartConfig:
    mass: float = 1.0
    friction: float = 0.3
    dt: float = 0.06
    horizon: int = 50
    max_force: float = 20.0


class CartPolicy(nn.Module):
    def __init__(self, max_force, hidden=64):
        super().__init__()
        self.max_force = max_force
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(),
                                 nn.Linear(hidden, hidden), nn.Tanh(),
                                 nn.Linear(hidden, 1))

    def forward(self, obs):
        return torch.tanh(self.net(obs) * self.max_force).squeeze(-1)


def simulate(policy, x, v, cfg, record=None):
    cost = 0.0
    for _ in range(cfg.horizon):
        force = policy(torch.stack([x, v], -1))
        if record is not None:
            record.append(force.detach())
        acc = (force - cfg.friction * v) / cfg.mass
        v = v + cfg.dt * acc
        x = x + cfg.dt * v
        cost = cost + x ** 2 + 0.1 * v ** 2 + 1e-4 * force ** 2
    return (cost / cfg.horizon).mean()


def sample_starts(n):
    return torch.rand(n) * 2 - 1, (torch.rand(n) * 2 - 1) * 0.5


class Trainer:
    def __init__(self, policy, cfg, lr=1e-3, callbacks=()):
        self.policy, self.cfg = policy, cfg
        self.opt = torch.optim.RMSprop(policy.parameters(), lr=lr)
        self.callbacks = list(callbacks)
        self.eval_starts = sample_starts(128)

    def evaluate(self):
        forces = []
        with torch.no_grad():
            c = simulate(self.policy, *self.eval_starts, self.cfg, record=forces).item()
        f = torch.cat(forces) / self.cfg.max_force
        return c, f

    def fit(self, updates=160, batch=64):
        for step in range(1, updates + 1):
            loss = simulate(self.policy, *sample_starts(batch), self.cfg)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            for cb in self.callbacks:
                cb(self, step, loss.item())
        return self.evaluate()[0]


def log_every(n):
    def cb(trainer, step, loss):
        if step % n == 0:
            cost, _ = trainer.evaluate()
            print(f"update {step:4d}  train cost {loss:.4f}  eval cost {cost:.4f}")
    return cb


cfg = CartConfig()
trainer = Trainer(CartPolicy(cfg.max_force), cfg, callbacks=[log_every(50)])
final = trainer.fit()
print(f"final eval cost {final:.4f}")

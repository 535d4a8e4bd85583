"""REINFORCE on a synthetic one-step "dosing" contextual bandit: 6 patient covariates -> a
continuous dose, reward = -(dose - optimal dose)^2. Gaussian policy: nn.Sequential MLP 6-64-64
with ReLU, softplus mean head, learnable log-std; batch-normalised advantages, Adam lr 3e-3,
dataclass config, 300 policy-gradient updates of 256 contexts.

Seeded bug: the config's init_bias = -3.0 is meant only for the mean head (softplus(-3) ~ 0.05,
so the policy starts with low, safe doses), but the init function is applied with self.apply()
to every nn.Linear and sets all biases to -3. With orthogonal(gain sqrt 2) weights and
standardised covariates the hidden pre-activations have std ~1, so a bias of -3 puts every
hidden ReLU below zero for every input: 100% of the units in both hidden layers are dead at
initialisation and never receive gradient; only the head bias and the log-std can learn, so the
policy outputs one constant dose for all patients.

Measured (plain python, 1 thread): fraction of hidden units never active at init 1.00 / 1.00
(layer 1 / layer 2) buggy vs ~0 fixed. Final greedy eval reward (negative squared dose error)
-4.123 buggy vs -0.013 with a fixed copy (hidden biases 0, -3 only on the mean head).
"""
# traindebug-expect: dead_units
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Config:
    obs_dim: int = 6
    hidden: int = 64
    init_bias: float = -3.0     # start with low doses: softplus(-3) ~ 0.05
    init_log_std: float = -0.5
    lr: float = 3e-3
    batch: int = 256
    updates: int = 300
    log_every: int = 50


class DosingEnv:
    """One-step contextual bandit: covariates -> continuous dose, reward = -(dose - best)^2."""

    def __init__(self, obs_dim, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.w = torch.randn(obs_dim, generator=g) * 0.6
        self.g = torch.Generator().manual_seed(seed + 1)

    def reset(self, n):
        return torch.randn(n, self.w.numel(), generator=self.g)

    def best_dose(self, s):
        return F.softplus(1.0 + s @ self.w + 0.5 * s[:, 0] * s[:, 1])

    def step(self, s, dose):
        return -(dose - self.best_dose(s)) ** 2


class GaussianPolicy(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(cfg.obs_dim, cfg.hidden), nn.ReLU(),
            nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(),
        )
        self.mu_head = nn.Linear(cfg.hidden, 1)
        self.log_std = nn.Parameter(torch.full((1,), cfg.init_log_std))
        self.cfg = cfg
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.orthogonal_(m.weight, gain=2 ** 0.5 if m is not self.mu_head else 0.01)
            nn.init.constant_(m.bias, self.cfg.init_bias)

    def forward(self, s):
        mu = F.softplus(self.mu_head(self.body(s))).squeeze(-1)
        return torch.distributions.Normal(mu, self.log_std.exp())


def main():
    cfg = Config()
    env = DosingEnv(cfg.obs_dim)
    policy = GaussianPolicy(cfg)
    opt = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
    s_eval = env.reset(2000)

    for it in range(1, cfg.updates + 1):
        s = env.reset(cfg.batch)
        dist = policy(s)
        a = dist.sample()
        r = env.step(s, a)
        adv = (r - r.mean()) / (r.std() + 1e-8)
        loss = -(dist.log_prob(a) * adv).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if it % cfg.log_every == 0 or it == 1:
            with torch.no_grad():
                greedy = env.step(s_eval, policy(s_eval).mean).mean().item()
            print(f"update {it:4d}  batch reward {r.mean().item():8.4f}  greedy eval reward {greedy:8.4f}"
                  f"  std {policy.log_std.exp().item():.3f}")

    with torch.no_grad():
        final = env.step(s_eval, policy(s_eval).mean).mean().item()
    print(f"final greedy eval reward (neg. squared dose error): {final:.4f}")


if __name__ == "__main__":
    main()

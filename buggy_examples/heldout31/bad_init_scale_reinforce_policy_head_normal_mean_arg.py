"""
REINFORCE on a synthetic contextual bandit ("route a job with 8 features to one of 12 servers",
expected reward = fixed random tanh network of the features, Gaussian reward noise 0.3).
Policy MLP 8 -> 256 -> 256 (ReLU, Kaiming init) -> 12 logits, Categorical policy, batch-mean
baseline, entropy bonus 0.01, SGD momentum 0.9 lr 0.02, 128 contexts per step, 300 steps; a small
train() function with logging callbacks.

Seeded bug: the policy head was meant to get the usual tiny init (std 0.01) but was written
`nn.init.normal_(self.pi.weight, 0.01)`; the second positional argument of normal_ is the mean,
so the weights are N(0.01, 1). With 256 Kaiming-scaled ReLU features the initial logits have std
~14: the policy starts almost deterministic (entropy 0.23 vs log 12 = 2.48, max prob 0.91),
log-prob gradients of the sampled actions are nearly zero, and exploration collapses.

Measured (seed 0, 1 thread): initial logit std 14.4 (fixed: 0.14). Buggy: final entropy 0.01,
greedy expected reward 0.604. Fixed copy (`std=0.01`): entropy 0.21, greedy expected reward 1.384
(oracle 1.556, uniform random 0.00).
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class RoutingEnv:
    """Contextual bandit: a job with 8 features must be routed to one of 6 servers.
    The expected reward of each server is a fixed nonlinear function of the job features."""

    def __init__(self, obs_dim=8, n_actions=12, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.W1 = torch.randn(obs_dim, 32, generator=g)
        self.W2 = torch.randn(32, n_actions, generator=g) / 32 ** 0.5
        self.obs_dim, self.n_actions = obs_dim, n_actions

    def reset(self, n):
        self.obs = torch.randn(n, self.obs_dim)
        return self.obs

    def expected_reward(self, obs):
        return torch.tanh(obs @ self.W1) @ self.W2

    def step(self, actions):
        mean = self.expected_reward(self.obs).gather(1, actions[:, None]).squeeze(1)
        return mean + 0.3 * torch.randn_like(mean)


class Policy(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=256):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU())
        self.pi = nn.Linear(hidden, n_actions)
        for m in self.body:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.pi.weight, 0.01)
        nn.init.zeros_(self.pi.bias)

    def forward(self, obs):
        return Categorical(logits=self.pi(self.body(obs)))


class Logger:
    def __init__(self, every):
        self.every = every

    def __call__(self, it, stats):
        if it % self.every == 0 or it == 1:
            print(f"iter {it:3d} avg reward {stats['reward']:.3f} entropy {stats['entropy']:.3f} "
                  f"loss {stats['loss']:.4f}")


def train(env, policy, iters=300, batch=128, lr=0.02, callbacks=()):
    opt = torch.optim.SGD(policy.parameters(), lr=lr, momentum=0.9)
    for it in range(1, iters + 1):
        obs = env.reset(batch)
        dist = policy(obs)
        actions = dist.sample()
        rewards = env.step(actions)
        adv = rewards - rewards.mean()
        loss = -(dist.log_prob(actions) * adv).mean() - 0.01 * dist.entropy().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        stats = {"reward": rewards.mean().item(), "entropy": dist.entropy().mean().item(),
                 "loss": loss.item()}
        for cb in callbacks:
            cb(it, stats)


def evaluate(env, policy, n=5000):
    obs = env.reset(n)
    with torch.no_grad():
        greedy = policy(obs).probs.argmax(1)
        r = env.expected_reward(obs)
    return r.gather(1, greedy[:, None]).mean().item(), r.max(1).values.mean().item(), r.mean().item()


env = RoutingEnv()
policy = Policy(env.obs_dim, env.n_actions)
train(env, policy, callbacks=[Logger(50)])
got, best, rand = evaluate(env, policy)
print(f"final greedy expected reward {got:.3f} (oracle {best:.3f}, uniform random {rand:.3f})")

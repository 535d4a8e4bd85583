"""Deterministic actor-critic (DDPG-style, one-step returns) on a batched synthetic "reach"
task: 8-D observation, 2-D action in [-1,1], reward = -||a - tanh(2 A^T s)||^2. Actor MLP
8-64-64-2 with tanh output, critic MLP 10-128-128-1; Gaussian exploration noise 0.3, Adam
(1e-3 actor, 2e-3 critic), 400 updates of 128 contexts, plain script style.

Seeded bug: the actor's mean action `mu` is computed once inside the `torch.no_grad()` block used
for acting and reward collection, and the actor loss reuses it: `-q_value(obs, mu).mean()`.
Because mu carries no graph, the deterministic policy gradient stops at the critic input; the
actor parameters get grad None on every step (Adam skips them) while the critic trains normally,
so the policy never changes.

Measured (plain python, 1 thread): greedy eval reward -1.225 at every log line and at the end
buggy vs -0.0135 for the fixed copy (actor loss on q_value(obs, actor(obs))); critic loss falls to
~0.04 in both.
"""
# traindebug-expect: no_gradient_flow
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

OBS_DIM, ACT_DIM = 8, 2
BATCH, UPDATES = 128, 400
EXPLORE_STD = 0.3


class ReachEnv:
    """Batched one-step continuous control: the action should match a hidden target direction."""

    def __init__(self, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.A = torch.randn(OBS_DIM, ACT_DIM, generator=g) / OBS_DIM ** 0.5
        self.rng = torch.Generator().manual_seed(seed + 7)

    def observe(self, n):
        return torch.randn(n, OBS_DIM, generator=self.rng)

    def target(self, obs):
        return torch.tanh(2.0 * obs @ self.A)

    def reward(self, obs, act):
        return -((act - self.target(obs)) ** 2).sum(-1)


def mlp(sizes, out_act=None):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    if out_act is not None:
        layers.append(out_act)
    return nn.Sequential(*layers)


env = ReachEnv()
actor = mlp([OBS_DIM, 64, 64, ACT_DIM], out_act=nn.Tanh())
critic = mlp([OBS_DIM + ACT_DIM, 128, 128, 1])
actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-3)
critic_opt = torch.optim.Adam(critic.parameters(), lr=2e-3)
eval_obs = env.observe(2048)


def q_value(obs, act):
    return critic(torch.cat([obs, act], dim=-1)).squeeze(-1)


for it in range(1, UPDATES + 1):
    obs = env.observe(BATCH)
    with torch.no_grad():
        mu = actor(obs)
        act = (mu + EXPLORE_STD * torch.randn_like(mu)).clamp(-1.0, 1.0)
        rew = env.reward(obs, act)

    # critic: regress the one-step return
    critic_loss = ((q_value(obs, act) - rew) ** 2).mean()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    # actor: deterministic policy gradient through the critic
    actor_loss = -q_value(obs, mu).mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()

    if it % 50 == 0 or it == 1:
        with torch.no_grad():
            greedy = env.reward(eval_obs, actor(eval_obs)).mean().item()
        print(f"it {it:4d}  critic loss {critic_loss.item():.4f}  actor loss {actor_loss.item():.4f}"
              f"  greedy reward {greedy:.4f}")

with torch.no_grad():
    final = env.reward(eval_obs, actor(eval_obs)).mean().item()
print(f"final greedy reward: {final:.4f}")

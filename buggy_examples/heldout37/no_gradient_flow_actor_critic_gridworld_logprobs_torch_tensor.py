"""
Monte-Carlo advantage actor-critic on a hand-written 4x4 gridworld (start (0,0), goal
(3,3), +1 at the goal, -0.02 per step, 24-step cap). Separate actor MLP 16-64-4 (tanh)
and critic MLP 16-64-1 (tanh); one Adam optimizer (lr 3e-3) over both. One update per
batch of 2 episodes: policy loss -(logp * advantage), value loss MSE to discounted
returns, entropy bonus 0.01; 200 updates (400 episodes).

Seeded bug: per-step log-probabilities and entropies are collected in Python lists and
turned into tensors with torch.tensor(...) instead of torch.stack(...). torch.tensor
copies the values into a new leaf tensor, cutting the graph, so the policy-gradient and
entropy terms carry no gradient to the actor. The value loss is built with torch.stack,
so loss.backward() works and the critic trains normally; the actor's parameters never
receive a gradient and the policy stays at its random initialisation.

Measured (seed 0, 1 thread): buggy: mean return of the last 100 episodes -0.259, greedy
policy does not reach the goal (-0.48 in 24 steps). Fixed copy (torch.stack): last-100
mean return 0.864, greedy policy reaches the goal in the minimal 6 steps (return 0.90).
"""
# traindebug-expect: no_gradient_flow
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Config:
    size: int = 4
    max_steps: int = 24
    gamma: float = 0.97
    lr: float = 3e-3
    updates: int = 200
    episodes_per_update: int = 2
    entropy_coef: float = 0.01
    value_coef: float = 0.5


cfg = Config()
N_STATES = cfg.size * cfg.size
MOVES = [(-1, 0), (1, 0), (0, -1), (0, 1)]


def env_step(pos, a):
    r, c = pos[0] + MOVES[a][0], pos[1] + MOVES[a][1]
    r, c = min(max(r, 0), cfg.size - 1), min(max(c, 0), cfg.size - 1)
    if (r, c) == (cfg.size - 1, cfg.size - 1):
        return (r, c), 1.0, True
    return (r, c), -0.02, False


def encode(pos):
    x = torch.zeros(N_STATES)
    x[pos[0] * cfg.size + pos[1]] = 1.0
    return x


actor = nn.Sequential(nn.Linear(N_STATES, 64), nn.Tanh(), nn.Linear(64, 4))
critic = nn.Sequential(nn.Linear(N_STATES, 64), nn.Tanh(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(list(actor.parameters()) + list(critic.parameters()), lr=cfg.lr)


def run_episode(greedy=False):
    pos, logps, ents, values, rewards = (0, 0), [], [], [], []
    for _ in range(cfg.max_steps):
        x = encode(pos)
        logits = actor(x)
        logp_all = F.log_softmax(logits, -1)
        a = logits.argmax() if greedy else torch.multinomial(logp_all.exp(), 1)[0]
        logps.append(logp_all[a])
        ents.append(-(logp_all.exp() * logp_all).sum())
        values.append(critic(x)[0])
        pos, r, done = env_step(pos, a.item())
        rewards.append(r)
        if done:
            break
    return logps, ents, values, rewards


def discounted(rewards):
    out, g = [], 0.0
    for r in reversed(rewards):
        g = r + cfg.gamma * g
        out.append(g)
    return torch.tensor(out[::-1])


history = []
for update in range(1, cfg.updates + 1):
    logps, ents, values, returns = [], [], [], []
    for _ in range(cfg.episodes_per_update):
        lp, en, va, rewards = run_episode()
        history.append(sum(rewards))
        logps += lp
        ents += en
        values += va
        returns.append(discounted(rewards))
    returns = torch.cat(returns)
    values = torch.stack(values)
    logps = torch.tensor(logps)
    ents = torch.tensor(ents)
    advantage = (returns - values).detach()
    n = cfg.episodes_per_update
    loss = (-(logps * advantage).sum() + cfg.value_coef * F.mse_loss(values, returns, reduction="sum")
            - cfg.entropy_coef * ents.sum()) / n
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if update % 50 == 0:
        print(f"update {update:4d}  loss {loss.item():8.4f}  "
              f"mean return (last 100 ep) {np.mean(history[-100:]):.3f}")

with torch.no_grad():
    _, _, _, rewards = run_episode(greedy=True)
print(f"final: last-100 mean return {np.mean(history[-100:]):.3f}  "
      f"greedy return {sum(rewards):.2f} in {len(rewards)} steps")

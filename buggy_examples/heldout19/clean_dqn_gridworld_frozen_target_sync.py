"""DQN with an experience-replay buffer and a frozen target network on a hand-written
5x5 gridworld (two pits, goal in the far corner).

Clean control. Patterns that may fool a naive detector: the target network's
parameters have requires_grad=False, never receive gradients and only change by a
hard copy every 20 updates (not an optimizer bug); the TD loss is not a decreasing
curve (it jumps after each target sync and as the policy / data distribution
shifts) and is tiny from the start because rewards are small; the Q-network is
only updated every 5th environment step after a 100-transition warm-up.
Measured healthy numbers: 364 optimizer updates; mean return over the last 20
episodes rises -0.98 -> -0.60 -> +0.53 -> +0.79; the final greedy policy reaches the
goal on the optimal 8-step path (return +0.86).
"""
# traindebug-expect: clean
import copy
import random
from collections import deque

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
random.seed(0)
np.random.seed(0)
torch.manual_seed(0)


class GridWorld:
    """5x5 grid, start top-left, goal bottom-right, two pits. Actions: up/down/left/right."""
    SIZE = 5
    PITS = {(1, 3), (3, 1)}
    MOVES = [(-1, 0), (1, 0), (0, -1), (0, 1)]

    def reset(self):
        self.pos, self.t = (0, 0), 0
        return self.obs()

    def obs(self):
        o = np.zeros(self.SIZE * self.SIZE, dtype=np.float32)
        o[self.pos[0] * self.SIZE + self.pos[1]] = 1.0
        return o

    def step(self, a):
        dr, dc = self.MOVES[a]
        r = min(max(self.pos[0] + dr, 0), self.SIZE - 1)
        c = min(max(self.pos[1] + dc, 0), self.SIZE - 1)
        self.pos, self.t = (r, c), self.t + 1
        if self.pos == (self.SIZE - 1, self.SIZE - 1):
            return self.obs(), 1.0, True
        if self.pos in self.PITS:
            return self.obs(), -1.0, True
        return self.obs(), -0.02, self.t >= 25


class Replay:
    def __init__(self, cap):
        self.buf = deque(maxlen=cap)

    def push(self, *tr):
        self.buf.append(tr)

    def sample(self, n):
        s, a, r, s2, d = zip(*random.sample(self.buf, n))
        return (torch.tensor(np.array(s)), torch.tensor(a), torch.tensor(r, dtype=torch.float32),
                torch.tensor(np.array(s2)), torch.tensor(d, dtype=torch.float32))

    def __len__(self):
        return len(self.buf)


q_net = nn.Sequential(nn.Linear(25, 64), nn.ReLU(), nn.Linear(64, 4))
target_net = copy.deepcopy(q_net)
for p in target_net.parameters():
    p.requires_grad_(False)
opt = torch.optim.Adam(q_net.parameters(), lr=2e-3)

env, replay = GridWorld(), Replay(5000)
gamma, batch, sync_every, warmup = 0.95, 64, 20, 100
eps, updates, env_steps = 1.0, 0, 0
ep_returns, td_losses = [], []

for episode in range(120):
    s, done, ret = env.reset(), False, 0.0
    while not done:
        if random.random() < eps:
            a = random.randrange(4)
        else:
            with torch.no_grad():
                a = q_net(torch.from_numpy(s)).argmax().item()
        s2, r, done = env.step(a)
        terminal = env.pos == (4, 4) or env.pos in env.PITS   # time-outs are not terminal
        replay.push(s, a, r, s2, float(terminal))
        s, ret, env_steps = s2, ret + r, env_steps + 1
        if len(replay) >= warmup and env_steps % 5 == 0:
            bs, ba, br, bs2, bd = replay.sample(batch)
            q = q_net(bs).gather(1, ba[:, None]).squeeze(1)
            with torch.no_grad():
                target = br + gamma * (1 - bd) * target_net(bs2).max(1).values
            loss = F.smooth_l1_loss(q, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            td_losses.append(loss.item())
            updates += 1
            if updates % sync_every == 0:
                target_net.load_state_dict(q_net.state_dict())
    eps = max(0.05, eps * 0.96)
    ep_returns.append(ret)
    if episode % 20 == 19:
        tl = np.mean(td_losses[-50:]) if td_losses else float("nan")
        print(f"episode {episode+1:3d} updates {updates:4d} eps {eps:.2f} "
              f"mean_return(last20) {np.mean(ep_returns[-20:]):+.3f} td_loss {tl:.4f}")

s, done, ret, steps = env.reset(), False, 0.0, 0
while not done:
    with torch.no_grad():
        s, r, done = env.step(q_net(torch.from_numpy(s)).argmax().item())
    ret, steps = ret + r, steps + 1
print(f"greedy policy: return {ret:+.2f} in {steps} steps (optimal: 8 steps, +0.86)")

"""
DQN on a hand-written 6x6 gridworld (numpy). State = one-hot cell index (36), 4 actions,
reward -0.04 per step, +1 at the goal in the far corner, two wall cells, episodes capped at
40 steps. Q-network: MLP 36-64-64-4 (ReLU). Replay buffer (5000), batch 32, one gradient
step per environment step after 100 warm-up transitions, epsilon-greedy 1.0 -> 0.05 over
1500 steps, target network synced every 100 steps, Huber TD loss, Adam lr 1e-3,
2500 environment steps (2400 optimizer steps). Reports greedy-policy return.

Seeded bug: the optimizer is built from target_net.parameters() instead of
q_net.parameters() (both networks are created next to each other and the line was
written/copied for the wrong one). The TD loss back-propagates into q_net, which
therefore gets gradients every step but is never updated; target_net is in the optimizer
but never receives gradients. The periodic sync just copies the untrained q_net again.
The loop clears gradients with q_net.zero_grad(), so nothing else looks off.

Measured (seed 0, 1 thread): buggy: greedy return -1.60 (never reaches the goal within
40 steps), success rate 0/20 in the last evaluation. Fixed copy (optimizer over
q_net.parameters()): greedy return 0.64 (shortest path, 10 steps), success 20/20.
"""
# traindebug-expect: frozen_or_unoptimized
import copy
import random
from collections import deque

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)
random.seed(0)


class GridWorld:
    size = 6
    walls = {(2, 2), (3, 3)}
    goal = (5, 5)
    moves = [(-1, 0), (1, 0), (0, -1), (0, 1)]

    def __init__(self, max_steps=40):
        self.max_steps = max_steps

    def reset(self):
        self.pos = (0, 0)
        self.t = 0
        return self.obs()

    def obs(self):
        return self.pos[0] * self.size + self.pos[1]

    def step(self, a):
        dr, dc = self.moves[a]
        r, c = self.pos[0] + dr, self.pos[1] + dc
        if 0 <= r < self.size and 0 <= c < self.size and (r, c) not in self.walls:
            self.pos = (r, c)
        self.t += 1
        if self.pos == self.goal:
            return self.obs(), 1.0, True
        return self.obs(), -0.04, self.t >= self.max_steps


N_STATES = GridWorld.size ** 2


def one_hot(s):
    return F.one_hot(torch.as_tensor(s), N_STATES).float()


def make_qnet():
    return nn.Sequential(nn.Linear(N_STATES, 64), nn.ReLU(),
                         nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 4))


def greedy_eval(net, episodes=20):
    env = GridWorld()
    rets, wins = [], 0
    for _ in range(episodes):
        s, done, ret = env.reset(), False, 0.0
        while not done:
            with torch.no_grad():
                a = net(one_hot(s)).argmax().item()
            s, r, done = env.step(a)
            ret += r
        rets.append(ret)
        wins += env.pos == env.goal
    return float(np.mean(rets)), wins


q_net = make_qnet()
target_net = copy.deepcopy(q_net)
optimizer = torch.optim.Adam(target_net.parameters(), lr=1e-3)

env = GridWorld()
buffer = deque(maxlen=5000)
gamma, batch_size = 0.95, 32
total_steps, warmup, sync_every = 2500, 100, 100
eps_start, eps_end, eps_decay = 1.0, 0.05, 1500

s = env.reset()
ep_ret, ep_rets, losses = 0.0, [], []
for step in range(1, total_steps + 1):
    eps = max(eps_end, eps_start - (eps_start - eps_end) * step / eps_decay)
    if random.random() < eps:
        a = random.randrange(4)
    else:
        with torch.no_grad():
            a = q_net(one_hot(s)).argmax().item()
    s2, r, done = env.step(a)
    buffer.append((s, a, r, s2, float(done and env.pos == env.goal)))
    ep_ret += r
    s = s2
    if done:
        ep_rets.append(ep_ret)
        s, ep_ret = env.reset(), 0.0

    if len(buffer) >= warmup:
        batch = random.sample(buffer, batch_size)
        bs, ba, br, bs2, bterm = map(torch.tensor, zip(*batch))
        q = q_net(one_hot(bs)).gather(1, ba.view(-1, 1)).squeeze(1)
        with torch.no_grad():
            q_next = target_net(one_hot(bs2)).max(1).values
            target = br.float() + gamma * (1 - bterm.float()) * q_next
        loss = F.smooth_l1_loss(q, target)
        q_net.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    if step % sync_every == 0:
        target_net.load_state_dict(q_net.state_dict())

    if step % 500 == 0:
        ret, wins = greedy_eval(q_net)
        recent = np.mean(ep_rets[-10:]) if ep_rets else float("nan")
        print(f"step {step:5d} eps {eps:.2f} td loss {np.mean(losses[-200:]):.4f} "
              f"train return {recent:.2f} greedy return {ret:.2f} success {wins}/20")

ret, wins = greedy_eval(q_net)
print(f"final greedy return {ret:.2f}  success {wins}/20")

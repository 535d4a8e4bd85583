"""Seeded bug: the policy's weight init computes its std as ``1 // math.sqrt(hidden)``;
floor division yields 0.0, so every Linear weight starts at exactly zero (biases too).
All hidden units are identical (all zero), the logits depend only on the output bias and the
policy can never condition on the state, so REINFORCE cannot solve the corridor task.
Measured (seed 0, 200 episodes = 200 updates): buggy mean return over last 50 episodes
-0.123, success rate 0.34; fixed (1 / math.sqrt(hidden)) mean return +0.979, success 1.00.
"""
# traindebug-expect: symmetric_init
import math
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


class KeyCorridor:
    """1-D corridor of length L. A cue shown at t=0 tells which end holds the reward;
    the cue stays visible in the observation. Reaching the wrong end gives -1."""

    def __init__(self, length=7, max_steps=12):
        self.L, self.max_steps = length, max_steps

    def reset(self):
        self.pos = self.L // 2
        self.goal = int(rng.integers(2))  # 0: left end, 1: right end
        self.t = 0
        return self._obs()

    def _obs(self):
        o = np.zeros(self.L + 2, dtype=np.float32)
        o[self.pos] = 1.0
        o[self.L + self.goal] = 1.0
        return o

    def step(self, a):
        self.pos += 1 if a == 1 else -1
        self.t += 1
        if self.pos <= 0 or self.pos >= self.L - 1:
            reached = 0 if self.pos <= 0 else 1
            return self._obs(), (1.0 if reached == self.goal else -1.0), True
        return self._obs(), -0.01, self.t >= self.max_steps


class Policy(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=32):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(),
                                  nn.Linear(hidden, hidden), nn.Tanh())
        self.head = nn.Linear(hidden, n_actions)
        std = 1 // math.sqrt(hidden)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, std)
                nn.init.zeros_(m.bias)

    def forward(self, obs):
        return self.head(self.body(obs))


env = KeyCorridor()
policy = Policy(env.L + 2, 2)
opt = torch.optim.Adam(policy.parameters(), lr=1e-2)
GAMMA = 0.97
returns_log, success_log = [], []
baseline = 0.0

for ep in range(200):
    obs, done = env.reset(), False
    logps, rewards = [], []
    while not done:
        dist = torch.distributions.Categorical(logits=policy(torch.from_numpy(obs)))
        a = dist.sample()
        logps.append(dist.log_prob(a))
        obs, r, done = env.step(a.item())
        rewards.append(r)
    G, rets = 0.0, []
    for r in reversed(rewards):
        G = r + GAMMA * G
        rets.append(G)
    rets = torch.tensor(rets[::-1])
    baseline = 0.9 * baseline + 0.1 * rets[0].item()
    loss = -(torch.stack(logps) * (rets - baseline)).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    returns_log.append(sum(rewards))
    success_log.append(float(rewards[-1] > 0))
    if (ep + 1) % 100 == 0:
        print(f"episode {ep + 1}  mean return {np.mean(returns_log[-50:]):+.3f}  "
              f"success {np.mean(success_log[-50:]):.2f}")

print(f"final mean return {np.mean(returns_log[-50:]):+.3f}  success {np.mean(success_log[-50:]):.2f}")

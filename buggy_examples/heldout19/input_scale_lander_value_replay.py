"""Monte-Carlo value regression for a toy 1-D lander, trained from a replay buffer.

Seeded bug (input_scale): observations go into the value network in raw physical
units (altitude 0-2500 m, velocity m/s, fuel 150-400 kg) -- no observation
normaliser, so the tanh first layer sees inputs with std ~ hundreds and saturates.
Measured after 400 steps: buggy eval MSE 42.4 (huber 3.37);
fixed (standardise obs with replay-buffer mean/std): eval MSE 3.08 (huber 0.16).
Predict-the-mean baseline MSE is 281.9.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
np.random.seed(3)
torch.manual_seed(3)


class Lander1D:
    """Toy vertical lander: state = (altitude m, velocity m/s, fuel kg)."""

    def __init__(self, rng):
        self.rng = rng

    def reset(self):
        self.alt = self.rng.uniform(800.0, 2500.0)
        self.vel = self.rng.uniform(-30.0, 5.0)
        self.fuel = self.rng.uniform(150.0, 400.0)
        return self.obs()

    def obs(self):
        return np.array([self.alt, self.vel, self.fuel], dtype=np.float32)

    def step(self, thrust):
        burn = min(self.fuel, 4.0 * thrust)
        self.fuel -= burn
        self.vel += -9.8 * 0.5 + 3.0 * burn * 0.5
        self.alt = max(0.0, self.alt + self.vel * 0.5)
        done = self.alt <= 0.0
        reward = -0.01 * burn
        if done:
            reward += 10.0 - 0.5 * abs(self.vel)
        return self.obs(), reward, done


class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.ret = np.zeros(capacity, np.float32)
        self.n = 0

    def add_episode(self, observations, rewards, gamma):
        g = 0.0
        returns = []
        for r in reversed(rewards):
            g = r + gamma * g
            returns.append(g)
        returns.reverse()
        for o, g in zip(observations, returns):
            if self.n >= len(self.obs):
                return
            self.obs[self.n] = o
            self.ret[self.n] = g
            self.n += 1

    def sample(self, batch_size, rng):
        idx = rng.integers(0, self.n, size=batch_size)
        return torch.from_numpy(self.obs[idx]), torch.from_numpy(self.ret[idx])


class ValueAgent:
    def __init__(self, obs_dim, lr=1e-3):
        self.v = nn.Sequential(nn.Linear(obs_dim, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
        self.opt = torch.optim.Adam(self.v.parameters(), lr=lr)

    def value(self, obs):
        return self.v(obs).squeeze(-1)

    def update(self, obs, ret):
        loss = F.smooth_l1_loss(self.value(obs), ret)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()


def behaviour_policy(obs, rng):
    alt, vel, fuel = obs
    hover = 1.7 if vel < -8.0 - alt / 200.0 else 0.0
    return float(np.clip(hover + rng.normal(0, 0.4), 0.0, 3.0))


def collect(env, buf, episodes, rng, gamma=0.98):
    for _ in range(episodes):
        o = env.reset()
        traj_o, traj_r = [], []
        for _ in range(200):
            o2, r, done = env.step(behaviour_policy(o, rng))
            traj_o.append(o)
            traj_r.append(r)
            o = o2
            if done:
                break
        buf.add_episode(traj_o, traj_r, gamma)


rng = np.random.default_rng(3)
env = Lander1D(rng)
train_buf = ReplayBuffer(20000, 3)
eval_buf = ReplayBuffer(4000, 3)
collect(env, train_buf, 150, rng)
collect(env, eval_buf, 30, rng)
print(f"replay: {train_buf.n} train transitions, {eval_buf.n} eval transitions")

agent = ValueAgent(obs_dim=3, lr=5e-3)
eval_obs = torch.from_numpy(eval_buf.obs[:eval_buf.n])
eval_ret = torch.from_numpy(eval_buf.ret[:eval_buf.n])
baseline = ((eval_ret - eval_ret.mean()) ** 2).mean().item()

for step in range(1, 401):
    obs, ret = train_buf.sample(128, rng)
    loss = agent.update(obs, ret)
    if step % 100 == 0:
        with torch.no_grad():
            mse = F.mse_loss(agent.value(eval_obs), eval_ret).item()
        print(f"step {step:4d}  huber {loss:.4f}  eval_mse {mse:.4f}  (predict-mean mse {baseline:.4f})")

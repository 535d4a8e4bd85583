"""Advantage actor-critic (A2C) on a batch of 16 generated 5x5 gridworlds
(goal corner, one pit, step penalty), separate actor and critic MLPs, each
with its own RMSprop optimizer; 300 updates of 5-step rollouts.

Seeded bug (missing_zero_grad): `update` clears gradients with
`self.opts["critic"].zero_grad()` only, then steps both optimizers. The
actor's .grad is never reset, so each actor step applies the running sum of
all previous policy gradients (stale advantages included). The policy
collapses onto a deterministic, wrong action sequence (entropy -> 0.03).

Measured: greedy evaluation on 64 episodes, success rate 0.00 and return
-0.400 at every evaluation (updates 0, 60, ..., 299). Fixed copy (zero_grad on both optimizers):
success 1.00, greedy return +0.916 from update 60 on, entropy ~0.4, critic
loss ~0.001.
"""
# traindebug-expect: missing_zero_grad
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

SIZE = 5
MOVES = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]])


class GridWorld:
    """Batch of independent gridworlds. Goal in a fixed corner, walls around a pit."""

    def __init__(self, n_envs, max_steps=20, seed=0):
        self.n, self.max_steps = n_envs, max_steps
        self.rng = np.random.default_rng(seed)
        self.goal = np.array([SIZE - 1, SIZE - 1])
        self.pit = np.array([1, 3])
        self.pos = np.zeros((n_envs, 2), dtype=np.int64)
        self.t = np.zeros(n_envs, dtype=np.int64)
        self.reset(np.ones(n_envs, dtype=bool))

    def reset(self, mask):
        k = int(mask.sum())
        self.pos[mask] = self.rng.integers(0, SIZE - 1, size=(k, 2))
        self.t[mask] = 0

    def obs(self):
        o = np.zeros((self.n, 2, SIZE, SIZE), dtype=np.float32)
        o[np.arange(self.n), 0, self.pos[:, 0], self.pos[:, 1]] = 1.0
        o[:, 1, self.pit[0], self.pit[1]] = -1.0
        o[:, 1, self.goal[0], self.goal[1]] = 1.0
        return torch.from_numpy(o.reshape(self.n, -1))

    def step(self, actions):
        self.pos = np.clip(self.pos + MOVES[actions], 0, SIZE - 1)
        self.t += 1
        at_goal = (self.pos == self.goal).all(1)
        in_pit = (self.pos == self.pit).all(1)
        reward = np.where(at_goal, 1.0, np.where(in_pit, -1.0, -0.02))
        done = at_goal | in_pit | (self.t >= self.max_steps)
        self.reset(done)
        return reward.astype(np.float32), done


def mlp(d_in, d_out, hidden=64):
    return nn.Sequential(nn.Linear(d_in, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                         nn.Linear(hidden, d_out))


class A2CAgent:
    def __init__(self, obs_dim, n_actions, gamma=0.95, lr=2e-3, ent_coef=0.01, value_coef=0.5):
        self.actor = mlp(obs_dim, n_actions)
        self.critic = mlp(obs_dim, 1)
        self.gamma, self.ent_coef, self.value_coef = gamma, ent_coef, value_coef
        self.opts = {
            "actor": torch.optim.RMSprop(self.actor.parameters(), lr=lr, alpha=0.99, eps=1e-5),
            "critic": torch.optim.RMSprop(self.critic.parameters(), lr=lr, alpha=0.99, eps=1e-5),
        }

    def act(self, obs):
        logits = self.actor(obs)
        dist = torch.distributions.Categorical(logits=logits)
        a = dist.sample()
        return a, dist.log_prob(a), dist.entropy(), self.critic(obs).squeeze(-1)

    def update(self, log_probs, entropies, values, rewards, dones, last_value):
        T = rewards.shape[0]
        returns = torch.zeros_like(rewards)
        running = last_value.detach()
        for t in reversed(range(T)):
            running = rewards[t] + self.gamma * running * (1.0 - dones[t])
            returns[t] = running
        adv = returns - values
        policy_loss = -(log_probs * adv.detach()).mean()
        value_loss = adv.pow(2).mean()
        entropy = entropies.mean()
        loss = policy_loss + self.value_coef * value_loss - self.ent_coef * entropy

        self.opts["critic"].zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(list(self.actor.parameters()) + list(self.critic.parameters()), 5.0)
        for opt in self.opts.values():
            opt.step()
        return policy_loss.item(), value_loss.item(), entropy.item()


def greedy_eval(agent, episodes=64, seed=123):
    env = GridWorld(episodes, seed=seed)
    total = np.zeros(episodes)
    alive = np.ones(episodes, dtype=bool)
    with torch.no_grad():
        for _ in range(env.max_steps):
            a = agent.actor(env.obs()).argmax(-1).numpy()
            r, d = env.step(a)
            total += r * alive
            alive &= ~d
            if not alive.any():
                break
    return total.mean(), (total > 0).mean()


def main():
    torch.manual_seed(0)
    n_envs, n_steps, updates = 16, 5, 300
    env = GridWorld(n_envs, seed=0)
    agent = A2CAgent(obs_dim=2 * SIZE * SIZE, n_actions=4)
    obs = env.obs()
    for it in range(updates):
        lps, ents, vals, rews, dns = [], [], [], [], []
        for _ in range(n_steps):
            a, lp, ent, v = agent.act(obs)
            r, d = env.step(a.numpy())
            lps.append(lp); ents.append(ent); vals.append(v)
            rews.append(torch.from_numpy(r)); dns.append(torch.from_numpy(d.astype(np.float32)))
            obs = env.obs()
        with torch.no_grad():
            last_v = agent.critic(obs).squeeze(-1)
        pl, vl, en = agent.update(torch.stack(lps), torch.stack(ents), torch.stack(vals),
                                  torch.stack(rews), torch.stack(dns), last_v)
        if it % 60 == 0 or it == updates - 1:
            ret, solved = greedy_eval(agent)
            print(f"update {it:3d}  pi {pl:+.3f}  v {vl:.4f}  H {en:.3f}  "
                  f"greedy return {ret:+.3f}  success {solved:.2f}")


if __name__ == "__main__":
    main()

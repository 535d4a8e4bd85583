"""
Seeded bug: the actor's optimizer never has its gradients reset. The update loop
calls critic_opt.zero_grad() before the critic step, but the actor step goes
straight from actor_loss.backward() to actor_opt.step(), so the actor's .grad
buffers accumulate every policy gradient since the start of training.
Measured (seed 0): after 230 updates the greedy return is -85.3 (buggy) vs -6.2 with
actor_opt.zero_grad() added before the actor backward (seed 1: -22.1 vs -6.8).
"""
# traindebug-expect: missing_zero_grad
import copy
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

DT = 0.1
HORIZON = 40
GAMMA = 0.95
TAU = 0.05


def env_reset(n):
    return np.random.uniform(-1.5, 1.5, size=(n, 2)).astype(np.float32)


def env_step(s, a):
    x, v = s[:, 0], s[:, 1]
    a = np.clip(a[:, 0], -1.0, 1.0)
    v2 = np.clip(v + DT * 2.0 * a, -3, 3)
    x2 = np.clip(x + DT * v2, -3, 3)
    r = -(x2 ** 2 + 0.1 * v2 ** 2 + 0.05 * a ** 2)
    return np.stack([x2, v2], 1).astype(np.float32), r.astype(np.float32)


class Actor(nn.Module):
    def __init__(self, hid=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, hid), nn.ReLU(), nn.Linear(hid, hid), nn.ReLU(), nn.Linear(hid, 1))

    def forward(self, s):
        return torch.tanh(self.body(s))


class Critic(nn.Module):
    def __init__(self, hid=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, hid), nn.ReLU(), nn.Linear(hid, hid), nn.ReLU(), nn.Linear(hid, 1))

    def forward(self, s, a):
        return self.body(torch.cat([s, a], -1)).squeeze(-1)


class Replay:
    def __init__(self, cap=20000):
        self.cap, self.ptr, self.full = cap, 0, False
        self.s = np.zeros((cap, 2), np.float32); self.a = np.zeros((cap, 1), np.float32)
        self.r = np.zeros(cap, np.float32); self.s2 = np.zeros((cap, 2), np.float32)

    def add(self, s, a, r, s2):
        n = len(s)
        idx = (np.arange(n) + self.ptr) % self.cap
        self.s[idx], self.a[idx], self.r[idx], self.s2[idx] = s, a, r, s2
        self.ptr = (self.ptr + n) % self.cap
        self.full = self.full or self.ptr < n

    def sample(self, bs):
        hi = self.cap if self.full else self.ptr
        i = np.random.randint(0, hi, bs)
        return tuple(torch.from_numpy(x[i]) for x in (self.s, self.a, self.r, self.s2))


@torch.no_grad()
def evaluate(actor, n=64):
    rng_state = np.random.get_state()
    np.random.seed(123)
    s = env_reset(n)
    np.random.set_state(rng_state)
    ret = np.zeros(n)
    for _ in range(HORIZON):
        a = actor(torch.from_numpy(s)).numpy()
        s, r = env_step(s, a)
        ret += r
    return ret.mean()


def soft_update(tgt, src, tau):
    with torch.no_grad():
        for pt, ps in zip(tgt.parameters(), src.parameters()):
            pt.mul_(1 - tau).add_(ps, alpha=tau)


def main():
    actor, critic = Actor(), Critic()
    actor_t, critic_t = copy.deepcopy(actor), copy.deepcopy(critic)
    actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-3)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=2e-3)
    buf = Replay()
    n_envs, bs = 16, 128
    print(f"init greedy return {evaluate(actor):.2f}")
    step = 0
    for episode in range(6):
        s = env_reset(n_envs)
        for t in range(HORIZON):
            with torch.no_grad():
                a = actor(torch.from_numpy(s)).numpy()
            a = np.clip(a + 0.3 * np.random.randn(*a.shape), -1, 1).astype(np.float32)
            s2, r = env_step(s, a)
            buf.add(s, a, r, s2)
            s = s2
            if episode == 0 and t < 10:
                continue
            sb, ab, rb, s2b = buf.sample(bs)
            with torch.no_grad():
                y = rb + GAMMA * critic_t(s2b, actor_t(s2b))
            critic_loss = ((critic(sb, ab) - y) ** 2).mean()
            critic_opt.zero_grad()
            critic_loss.backward()
            critic_opt.step()

            actor_loss = -critic(sb, actor(sb)).mean()
            actor_loss.backward()
            actor_opt.step()

            soft_update(critic_t, critic, TAU)
            soft_update(actor_t, actor, TAU)
            step += 1
        print(f"episode {episode}  steps {step}  critic {critic_loss.item():.4f}  "
              f"greedy return {evaluate(actor):.2f}")
    print(f"final greedy return {evaluate(actor):.2f}")


if __name__ == "__main__":
    main()

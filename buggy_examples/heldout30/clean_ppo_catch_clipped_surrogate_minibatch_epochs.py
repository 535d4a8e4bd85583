"""Healthy control: PPO with the clipped surrogate on a vectorised "Catch" game (5 columns,
ball falls 5 rows with a horizontal drift that bounces off the walls, paddle moves
left/stay/right, +1 catch / -1 miss at the last step). Tanh actor-critic MLP (64-64, orthogonal
small-gain policy head), 128 parallel episodes per rollout, GAE (gamma 0.99, lambda 0.95),
4 PPO epochs x 4 shuffled minibatches per rollout (16 Adam steps, lr 6e-3), clip 0.2, value
coefficient 0.5, entropy 0.01, grad-norm clip 0.5, 40 rollouts = 640 optimizer steps.

Possible false alarm: the same rollout is reused for 4 epochs, so successive minibatches are
correlated and the targets (returns/advantages) change with every rollout; the "pg loss" is a
surrogate near zero that flips sign and does not decrease; for 5-27% of samples the ratio is
clipped and contributes no gradient; per-minibatch advantage normalisation rescales the
signal; the value loss first rises (0.36 -> 0.65) before falling; the policy entropy drops
towards 0.1 on purpose. None of this is a bug.

Measured (plain python, 1 thread): rollout catch rate 0.14 (random) -> 0.91 by rollout 40,
value loss 0.36 -> 0.04, final greedy catch rate 0.905 over 2000 episodes.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical

torch.set_num_threads(1)
torch.manual_seed(0)

WIDTH, HEIGHT = 5, 6
N_ENVS = 128
GAMMA, LAM = 0.99, 0.95
CLIP_EPS = 0.2
PPO_EPOCHS, N_MINIBATCH = 4, 4
UPDATES = 40
OBS_DIM = WIDTH + HEIGHT + WIDTH + 3


class CatchEnv:
    """A ball falls one row per step; the paddle on the bottom row moves left / stays / right."""

    def reset(self, n):
        self.ball_x = torch.randint(0, WIDTH, (n,))
        self.ball_y = torch.zeros(n, dtype=torch.long)
        self.pad_x = torch.randint(0, WIDTH, (n,))
        self.drift = torch.randint(-1, 2, (n,))
        return self.obs()

    def obs(self):
        return torch.cat([F.one_hot(self.ball_x, WIDTH), F.one_hot(self.ball_y, HEIGHT),
                          F.one_hot(self.pad_x, WIDTH), F.one_hot(self.drift + 1, 3)], dim=1).float()

    def step(self, action):
        self.pad_x = (self.pad_x + action - 1).clamp(0, WIDTH - 1)
        bounce = (self.ball_x + self.drift < 0) | (self.ball_x + self.drift >= WIDTH)
        self.drift = torch.where(bounce, -self.drift, self.drift)
        self.ball_x = self.ball_x + self.drift
        self.ball_y = self.ball_y + 1
        done = self.ball_y == HEIGHT - 1
        reward = torch.where(done, torch.where(self.ball_x == self.pad_x, 1.0, -1.0), 0.0)
        return self.obs(), reward, done


class ActorCritic(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(OBS_DIM, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, 3)
        self.v = nn.Linear(hidden, 1)
        nn.init.orthogonal_(self.pi.weight, gain=0.01)
        nn.init.zeros_(self.pi.bias)

    def forward(self, obs):
        h = self.body(obs)
        return Categorical(logits=self.pi(h)), self.v(h).squeeze(-1)


def rollout(env, net):
    obs = env.reset(N_ENVS)
    buf = {k: [] for k in ("obs", "act", "logp", "val", "rew", "done")}
    with torch.no_grad():
        for _ in range(HEIGHT - 1):
            dist, v = net(obs)
            a = dist.sample()
            buf["obs"].append(obs)
            buf["act"].append(a)
            buf["logp"].append(dist.log_prob(a))
            buf["val"].append(v)
            obs, r, d = env.step(a)
            buf["rew"].append(r)
            buf["done"].append(d.float())
    b = {k: torch.stack(v) for k, v in buf.items()}
    adv = torch.zeros(N_ENVS)
    advs = []
    for t in reversed(range(HEIGHT - 1)):
        next_v = b["val"][t + 1] if t + 1 < HEIGHT - 1 else torch.zeros(N_ENVS)
        nonterm = 1.0 - b["done"][t]
        delta = b["rew"][t] + GAMMA * next_v * nonterm - b["val"][t]
        adv = delta + GAMMA * LAM * nonterm * adv
        advs.append(adv)
    b["adv"] = torch.stack(advs[::-1])
    b["ret"] = b["adv"] + b["val"]
    catch_rate = (b["rew"].sum(0) > 0).float().mean().item()
    return {k: v.flatten(0, 1) for k, v in b.items()}, catch_rate


env = CatchEnv()
net = ActorCritic()
opt = torch.optim.Adam(net.parameters(), lr=6e-3, eps=1e-5)
n_steps = 0
for update in range(1, UPDATES + 1):
    batch, catch_rate = rollout(env, net)
    n = batch["obs"].shape[0]
    clipped, pg_losses = [], []
    for _ in range(PPO_EPOCHS):
        for idx in torch.randperm(n).chunk(N_MINIBATCH):
            dist, v = net(batch["obs"][idx])
            logp = dist.log_prob(batch["act"][idx])
            ratio = (logp - batch["logp"][idx]).exp()
            adv = batch["adv"][idx]
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            pg_loss = -torch.min(ratio * adv, ratio.clamp(1 - CLIP_EPS, 1 + CLIP_EPS) * adv).mean()
            v_loss = F.mse_loss(v, batch["ret"][idx])
            entropy = dist.entropy().mean()
            loss = pg_loss + 0.5 * v_loss - 0.01 * entropy
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 0.5)
            opt.step()
            n_steps += 1
            clipped.append(((ratio - 1).abs() > CLIP_EPS).float().mean().item())
            pg_losses.append(pg_loss.item())
    if update % 5 == 0 or update == 1:
        print(f"update {update:2d}  steps {n_steps}  catch rate {catch_rate:.3f}  "
              f"pg loss {sum(pg_losses) / len(pg_losses):+.4f}  v loss {v_loss.item():.4f}  "
              f"entropy {entropy.item():.3f}  clip frac {sum(clipped) / len(clipped):.3f}")

net.eval()
with torch.no_grad():
    obs = env.reset(2000)
    total = torch.zeros(2000)
    for _ in range(HEIGHT - 1):
        dist, _ = net(obs)
        obs, r, d = env.step(dist.probs.argmax(-1))
        total += r
print(f"final greedy catch rate {(total > 0).float().mean().item():.3f} over 2000 episodes")

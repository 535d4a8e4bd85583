"""Healthy control: advantage actor-critic / REINFORCE-with-baseline on a vectorised 6x6
gridworld (random start and goal, -0.02 per move, +1 at the goal, 20-step episodes, 64 parallel
episodes per update). Shared tanh trunk with policy and value heads, masked Monte-Carlo returns
(gamma 0.97), entropy bonus 0.01, gradient-norm clipping at 1.0, Adam lr 3e-3, 250 updates.

Possible false alarm: the printed "loss" is a policy-gradient surrogate, not an error: it changes
sign, is noisy, does not decrease monotonically and ends near zero while the return improves;
the entropy term makes part of the objective increase on purpose. A detector expecting a
decreasing loss could call this lr_too_high (oscillation) or underfitting (flat loss). Once the
task is solved the gradient norms are tiny (median ~0.02 after update 25) because advantages
shrink, which is not vanishing gradients or a too-low LR; the clip at 1.0 never binds here.

Measured (plain python, 1 thread): training success rate 0.25 -> 1.00 by update 50, mean episode
return -0.09 -> +0.91; final greedy success rate 1.000 with 4.07 steps on average.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SIZE = 6
MAX_T = 20
N_ENVS = 64
GAMMA = 0.97
ENT_COEF = 0.01
UPDATES = 250
MOVES = torch.tensor([[-1, 0], [1, 0], [0, -1], [0, 1]])


class GridWorld:
    """Vectorised 6x6 grid: random start, random goal, -0.02 per move, +1 on reaching the goal."""

    def reset(self, n):
        self.pos = torch.randint(0, SIZE, (n, 2))
        self.goal = torch.randint(0, SIZE, (n, 2))
        same = (self.pos == self.goal).all(1)
        self.goal[same] = (self.goal[same] + 3) % SIZE
        self.done = torch.zeros(n, dtype=torch.bool)
        return self.obs()

    def obs(self):
        return torch.cat([self.pos, self.goal, self.goal - self.pos], 1).float() / (SIZE - 1)

    def step(self, action):
        active = ~self.done
        new = (self.pos + MOVES[action]).clamp(0, SIZE - 1)
        self.pos = torch.where(active[:, None], new, self.pos)
        reached = (self.pos == self.goal).all(1) & active
        reward = torch.where(active, torch.full_like(reached, -0.02, dtype=torch.float), torch.zeros(len(action)))
        reward = reward + reached.float()
        self.done = self.done | reached
        return self.obs(), reward, active


class PolicyValue(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(6, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, 4)
        self.v = nn.Linear(hidden, 1)

    def forward(self, obs):
        h = self.trunk(obs)
        return self.pi(h), self.v(h).squeeze(-1)


def rollout(env, net):
    obs = env.reset(N_ENVS)
    logps, values, rewards, masks, ents = [], [], [], [], []
    for _ in range(MAX_T):
        logits, value = net(obs)
        dist = torch.distributions.Categorical(logits=logits)
        a = dist.sample()
        obs, r, active = env.step(a)
        logps.append(dist.log_prob(a))
        ents.append(dist.entropy())
        values.append(value)
        rewards.append(r)
        masks.append(active.float())
    return [torch.stack(x) for x in (logps, values, rewards, masks, ents)]


def discounted_returns(rewards):
    out, running = torch.zeros_like(rewards), torch.zeros(rewards.shape[1])
    for t in reversed(range(rewards.shape[0])):
        running = rewards[t] + GAMMA * running
        out[t] = running
    return out


env = GridWorld()
net = PolicyValue()
opt = torch.optim.Adam(net.parameters(), lr=3e-3)

for update in range(1, UPDATES + 1):
    logps, values, rewards, masks, ents = rollout(env, net)
    returns = discounted_returns(rewards)
    adv = (returns - values).detach()
    n_active = masks.sum()
    policy_loss = -(logps * adv * masks).sum() / n_active
    value_loss = 0.5 * (((returns - values) ** 2) * masks).sum() / n_active
    entropy = (ents * masks).sum() / n_active
    loss = policy_loss + 0.5 * value_loss - ENT_COEF * entropy

    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()

    if update % 25 == 0 or update == 1:
        success = env.done.float().mean().item()
        ep_return = rewards.sum(0).mean().item()
        print(f"update {update:4d}  loss {loss.item():+.4f}  policy {policy_loss.item():+.4f}  "
              f"value {value_loss.item():.4f}  entropy {entropy.item():.3f}  "
              f"success {success:.2f}  return {ep_return:+.3f}")

with torch.no_grad():
    env.reset(1000)
    obs = env.obs()
    steps = torch.zeros(1000)
    for _ in range(MAX_T):
        logits, _ = net(obs)
        obs, r, active = env.step(logits.argmax(-1))
        steps += active.float()
    print(f"final greedy success rate {env.done.float().mean().item():.3f}  mean steps {steps.mean().item():.2f}")

"""
RL-style value fitting: a critic V(s) for a noisy point-mass controller (state = 2-D position +
velocity, reward = minus the distance to a goal, gamma 0.9, 40-step horizon), regressed on
Monte-Carlo returns (averaged over 4 rollouts per start state, standardised). Spinning-Up-style
`mlp(sizes, activation)` builder, 8 hidden layers of 64, SGD momentum 0.9 lr 0.05, batch 128,
300 steps.

Seeded bug: the critic is built with nn.Sigmoid as the hidden activation (copied from a shallow
2-layer recipe) in an 8-hidden-layer network. The sigmoid's slope is at most 0.25, so the
back-propagated signal shrinks by ~4x or more per layer: the first layer's weight gradient is
~5e-8 while the output layer's is ~0.1-1, and the critic only learns a constant.

Measured (seed 0, 1 thread): buggy: |grad W1| ~5e-8 vs |grad W_out| ~0.1-1.3, final test value
loss 0.507, R^2 -0.03. Fixed copy (nn.Tanh hidden layers): |grad W1| ~0.07-0.12, final test
value loss 0.0073, R^2 0.985.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

GAMMA = 0.9
HORIZON = 40


def rollout_returns(starts, rng):
    """Point mass pushed by a fixed heuristic controller; reward is minus the distance to the goal."""
    goal = np.array([0.6, -0.4])
    pos, vel = starts[:, :2].copy(), starts[:, 2:].copy()
    ret = np.zeros(len(starts))
    disc = 1.0
    for _ in range(HORIZON):
        force = 0.5 * np.tanh(3 * (goal - pos)) - 0.2 * vel + rng.normal(0, 0.3, pos.shape)
        vel = vel + 0.1 * force
        pos = np.clip(pos + 0.1 * vel, -1.5, 1.5)
        ret += disc * -np.linalg.norm(pos - goal, axis=1)
        disc *= GAMMA
    return ret


def mlp(sizes, activation, output_activation=nn.Identity):
    layers = []
    for j in range(len(sizes) - 1):
        act = activation if j < len(sizes) - 2 else output_activation
        layers += [nn.Linear(sizes[j], sizes[j + 1]), act()]
    return nn.Sequential(*layers)


rng = np.random.default_rng(0)
states = np.concatenate([rng.uniform(-1.5, 1.5, (6000, 2)), rng.normal(0, 0.5, (6000, 2))], 1)
returns = np.mean([rollout_returns(states, rng) for _ in range(4)], axis=0)
S = torch.tensor(states, dtype=torch.float32)
G = torch.tensor(returns, dtype=torch.float32)
g_mean, g_std = G[:5000].mean(), G[:5000].std()
G = (G - g_mean) / g_std
s_tr, g_tr, s_te, g_te = S[:5000], G[:5000], S[5000:], G[5000:]

critic = mlp([4] + [64] * 8 + [1], nn.Sigmoid)
opt = torch.optim.SGD(critic.parameters(), lr=0.05, momentum=0.9)
linears = [m for m in critic if isinstance(m, nn.Linear)]

batch = 128
for step in range(1, 301):
    idx = torch.randint(0, len(s_tr), (batch,))
    v = critic(s_tr[idx]).squeeze(-1)
    loss = 0.5 * (v - g_tr[idx]).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        g_first = linears[0].weight.grad.norm().item()
        g_last = linears[-1].weight.grad.norm().item()
        with torch.no_grad():
            te = 0.5 * (critic(s_te).squeeze(-1) - g_te).pow(2).mean().item()
        print(f"step {step} value loss {loss.item():.4f} test {te:.4f} "
              f"|grad W1| {g_first:.2e} |grad W_out| {g_last:.2e}")

with torch.no_grad():
    v_te = critic(s_te).squeeze(-1)
    r2 = 1 - ((v_te - g_te) ** 2).sum() / ((g_te - g_te.mean()) ** 2).sum()
print(f"final test value loss {0.5 * (v_te - g_te).pow(2).mean().item():.4f}, R^2 {r2.item():.3f}")

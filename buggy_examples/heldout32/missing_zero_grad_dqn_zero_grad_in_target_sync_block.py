"""
DQN with a hard-synced target network on a small stochastic control problem: a random tabular
MDP with 40 states x 4 actions (sparse random transition kernels, rewards in [-1, 1],
gamma 0.8). A replay buffer of 20k uniformly random transitions is sampled up front; the
Q-network (MLP 40 one-hot -> 128 -> 128 -> 4, ReLU) is trained with the Huber TD loss against
a target network copied every 25 updates, Adam lr 1e-3, batch 128, 600 updates.
Evaluation against the exact solution: mean |max_a Q - V*| and the value of the greedy policy
(exact policy evaluation) as a fraction of the optimal value (V^pi - V_rand) / (V* - V_rand).

Seeded bug: `optimizer.zero_grad()` ended up indented inside the
`if step % SYNC_EVERY == 0:` block next to the target-network copy, so gradients are only
cleared once every 25 updates and otherwise keep piling up: each Adam step follows the running
sum of up to 25 stale TD gradients (computed against older predictions), so the updates lag
behind the current Q-function and overshoot, and value estimation is much worse.

Measured (seed 0, 1 thread): Buggy: final TD loss 0.066 (spikes up to 0.5 along the way),
|V - V*| 0.295, greedy policy value 0.91 of optimal. Fixed copy (zero_grad every update):
final TD loss 0.031, |V - V*| 0.054, greedy policy value 1.00 of optimal.
"""
# traindebug-expect: missing_zero_grad
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_STATES, N_ACTIONS = 40, 4
GAMMA = 0.8
SYNC_EVERY = 25
N_UPDATES = 600

rng = np.random.default_rng(0)
P = np.zeros((N_STATES, N_ACTIONS, N_STATES))
for s in range(N_STATES):
    for a in range(N_ACTIONS):
        succ = rng.choice(N_STATES, size=3, replace=False)
        P[s, a, succ] = rng.dirichlet(np.ones(3))
R_sa = rng.uniform(-1, 1, size=(N_STATES, N_ACTIONS))


def policy_value(pi):
    P_pi = P[np.arange(N_STATES), pi]
    r_pi = R_sa[np.arange(N_STATES), pi]
    return np.linalg.solve(np.eye(N_STATES) - GAMMA * P_pi, r_pi)


Q_star = np.zeros((N_STATES, N_ACTIONS))
for _ in range(500):
    Q_star = R_sa + GAMMA * P @ Q_star.max(1)
V_star = Q_star.max(1)
P_rand = P.mean(1)
V_rand = np.linalg.solve(np.eye(N_STATES) - GAMMA * P_rand, R_sa.mean(1))

# replay buffer of uniformly random transitions
n = 20000
s_buf = rng.integers(0, N_STATES, n)
a_buf = rng.integers(0, N_ACTIONS, n)
cdf = P[s_buf, a_buf].cumsum(1)
s2_buf = np.minimum((rng.random((n, 1)) > cdf).sum(1), N_STATES - 1)
r_buf = R_sa[s_buf, a_buf] + 0.1 * rng.normal(size=n)

eye = torch.eye(N_STATES)
S, S2 = eye[s_buf], eye[s2_buf]
A = torch.from_numpy(a_buf)
R = torch.tensor(r_buf, dtype=torch.float32)

q_net = nn.Sequential(nn.Linear(N_STATES, 128), nn.ReLU(),
                      nn.Linear(128, 128), nn.ReLU(),
                      nn.Linear(128, N_ACTIONS))
target_net = copy.deepcopy(q_net)
optimizer = torch.optim.Adam(q_net.parameters(), lr=1e-3)


def evaluate():
    with torch.no_grad():
        q = q_net(eye).numpy()
    v_err = np.abs(q.max(1) - V_star).mean()
    v_pi = policy_value(q.argmax(1))
    frac = ((v_pi - V_rand) / (V_star - V_rand)).mean()
    return v_err, frac


for step in range(1, N_UPDATES + 1):
    idx = torch.randint(0, n, (128,))
    q_sa = q_net(S[idx]).gather(1, A[idx].unsqueeze(1)).squeeze(1)
    with torch.no_grad():
        target = R[idx] + GAMMA * target_net(S2[idx]).max(1).values
    loss = F.smooth_l1_loss(q_sa, target)

    if step % SYNC_EVERY == 0:
        target_net.load_state_dict(q_net.state_dict())
        optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    if step % 100 == 0:
        v_err, frac = evaluate()
        print(f"step {step:3d}  td_loss {loss.item():.4f}  |V-V*| {v_err:.3f}  greedy_value {frac:.2f}")

print(f"final: td_loss {loss.item():.4f}  |V-V*| {v_err:.3f}  greedy_value {frac:.2f}")

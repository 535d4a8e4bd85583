"""
Generative model trained with an optimal-transport loss: an MLP generator (4-d Gaussian noise ->
128 -> 128 -> 2, ReLU) is fitted to standardized make_moons points by minimising the entropic
OT cost <P, C> between a batch of 128 generated and 128 real points (squared-Euclidean cost,
eps = 0.05, 30 Sinkhorn iterations, differentiated through the unrolled iterations). Adam lr
1e-3, 300 steps; reports the final Sinkhorn cost and a held-out nearest-neighbour distance.

Seeded bug: the Sinkhorn iterations are written in the textbook kernel (scaling) domain,
K = exp(-C / eps), u = a / (K v), v = b / (K^T u). With eps = 0.05 and costs of several units,
entries of K underflow to 0 / denormals in float32, the scalings u, v overflow, and the
backward pass produces inf * 0 = NaN; from the second step on the loss, gradients and
parameters are NaN. A classic numerical mistake when transcribing Cuturi (2013) with a small
blur; the fix is the log-domain (logsumexp) form of the same iterations.

Measured (seed 0, 1 thread): buggy: loss 1.739 at step 1, NaN from step 2 on, final cost NaN,
held-out NN distance NaN. Fixed copy (log-domain f/g potentials, same eps and iterations):
final Sinkhorn cost 0.102, held-out NN distance 0.072.
"""
# traindebug-expect: non_finite
import time
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, _ = make_moons(n_samples=4000, noise=0.06, random_state=0)
X = (X - X.mean(0)) / X.std(0)
X = torch.tensor(X, dtype=torch.float32)
train_pts, held_pts = X[:3000], X[3000:]

LATENT = 4
BATCH = 128
EPS = 0.05
N_ITERS = 30
STEPS = 300

gen = nn.Sequential(
    nn.Linear(LATENT, 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 2),
)
opt = torch.optim.Adam(gen.parameters(), lr=1e-3)


def sinkhorn_cost(x, y, eps=EPS, n_iters=N_ITERS):
    """Entropic OT cost <P, C> between two uniform point clouds (Cuturi 2013)."""
    C = torch.cdist(x, y) ** 2
    n, m = C.shape
    a = torch.full((n,), 1.0 / n)
    b = torch.full((m,), 1.0 / m)
    K = torch.exp(-C / eps)
    v = torch.ones(m)
    for _ in range(n_iters):
        u = a / (K @ v)
        v = b / (K.t() @ u)
    P = u[:, None] * K * v[None, :]
    return (P * C).sum()


def nn_distance(gen_pts, ref_pts):
    d = torch.cdist(gen_pts, ref_pts)
    return 0.5 * (d.min(1).values.mean() + d.min(0).values.mean())


t0 = time.time()
for step in range(1, STEPS + 1):
    idx = torch.randint(0, train_pts.shape[0], (BATCH,))
    target = train_pts[idx]
    z = torch.randn(BATCH, LATENT)
    fake = gen(z)
    loss = sinkhorn_cost(fake, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 1:
        print(f"step {step:4d}  sinkhorn cost {loss.item():.4f}")

with torch.no_grad():
    samples = gen(torch.randn(1000, LATENT))
    score = nn_distance(samples, held_pts)
print(f"final sinkhorn cost {loss.item():.4f}  held-out NN distance {score.item():.4f}  ({time.time()-t0:.1f}s)")

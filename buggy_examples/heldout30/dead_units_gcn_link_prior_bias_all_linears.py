"""Link prediction on a synthetic stochastic-block-model graph (200 nodes, 4 communities,
p_in = 0.15, p_out = 0.005, 16-d noisy node features). A two-layer GCN encoder (symmetric
normalised dense adjacency with self loops, 16 -> 64 -> 32, ReLU) produces node embeddings; an
MLP edge decoder scores every node pair from h_u * h_v (32 -> 32 -> 1, ReLU). Full-batch
training on all pairs of the training graph with BCE-with-logits, 15% of the edges held out for
test ROC-AUC against an equal number of non-edges, Adam lr 1e-2, 200 steps.

Seeded bug: to start the decoder at the right base rate, the author initialises biases to the
prior logit of an edge, log(rho / (1 - rho)) = -3.3 for the graph density rho = 0.036, but does it
inside the generic `init_weights` function passed to model.apply(), so every nn.Linear - both GCN
layers and the hidden decoder layer - gets the -3.3 bias. With Xavier weights the pre-activations
spread only ~0.8 around -3.3, so every ReLU unit in the network is negative for every node and
pair from the first step on and never recovers; only the output bias learns.

Measured (plain python, 1 thread): test ROC-AUC 0.500 (train loss flat at 0.154, the base-rate
entropy) with the bug versus test AUC 0.878 (train loss 0.109) for a fixed copy that applies the
prior bias to the decoder's output layer only (zero biases elsewhere).
"""
# traindebug-expect: dead_units
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N, K, D = 200, 4, 16
comm = np.repeat(np.arange(K), N // K)
prob = np.where(comm[:, None] == comm[None, :], 0.15, 0.005)
upper = np.triu(rng.random((N, N)) < prob, k=1)
edges = np.argwhere(upper)
rng.shuffle(edges)
n_test = int(0.15 * len(edges))
test_pos, train_pos = edges[:n_test], edges[n_test:]

centers = rng.normal(size=(K, D))
X = torch.tensor(1.0 * centers[comm] + rng.normal(size=(N, D)), dtype=torch.float32)

A = torch.zeros(N, N)
A[train_pos[:, 0], train_pos[:, 1]] = 1.0
A = A + A.T
A_hat = A + torch.eye(N)
d_inv_sqrt = A_hat.sum(1).pow(-0.5)
A_norm = d_inv_sqrt[:, None] * A_hat * d_inv_sqrt[None, :]

# test negatives: random non-edges of the full graph
full = upper | upper.T
neg = []
while len(neg) < n_test:
    u, v = rng.integers(0, N, size=2)
    if u < v and not full[u, v]:
        neg.append((u, v))
test_neg = np.array(neg)

train_mask = torch.triu(torch.ones(N, N, dtype=torch.bool), diagonal=1)
target = A[train_mask]
density = target.mean().item()
print(f"{len(train_pos)} train edges, {n_test} test edges, density {density:.4f}")


class GCNLinkPredictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.gc1 = nn.Linear(D, 64)
        self.gc2 = nn.Linear(64, 32)
        self.decoder = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))

    def embed(self, x, a):
        h = F.relu(a @ self.gc1(x))
        return F.relu(a @ self.gc2(h))

    def score(self, h, u, v):
        return self.decoder(h[u] * h[v]).squeeze(-1)


prior_logit = math.log(density / (1 - density))


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.constant_(m.bias, prior_logit)


model = GCNLinkPredictor()
model.apply(init_weights)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
iu, iv = train_mask.nonzero(as_tuple=True)


def test_auc():
    with torch.no_grad():
        h = model.embed(X, A_norm)
        pairs = np.concatenate([test_pos, test_neg])
        s = model.score(h, torch.tensor(pairs[:, 0]), torch.tensor(pairs[:, 1]))
    pos, neg = s[:n_test], s[n_test:]
    # ROC-AUC = P(score of a true edge > score of a non-edge), ties count one half
    return ((pos[:, None] > neg[None, :]).float().mean()
            + 0.5 * (pos[:, None] == neg[None, :]).float().mean()).item()


for step in range(1, 201):
    h = model.embed(X, A_norm)
    logits = model.score(h, iu, iv)
    loss = F.binary_cross_entropy_with_logits(logits, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}  test auc {test_auc():.3f}")

print(f"final train loss {loss.item():.4f}  test auc {test_auc():.3f}")

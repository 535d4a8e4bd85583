"""
Three-layer GCN (Kipf & Welling propagation, sparse normalised adjacency D^-1/2 (A+I) D^-1/2
applied with torch.sparse.mm) for node classification on a generated stochastic block model:
400 nodes, 4 communities (p_in 0.05, p_out 0.005), 16-d node features whose class means are
weak relative to the noise, so aggregating neighbours is what makes the task solvable.
Hidden width 64, ReLU, full-batch Adam lr 1e-2, 250 epochs, 50/50
transductive split of nodes.

Seeded bug: the layer initialiser uses the old "small Gaussian weights (std 0.01) plus a
small negative bias (-0.1) to start with sparse activations" recipe. With std-0.01 weights and
standardised, neighbour-averaged inputs, the pre-activations have a spread of only ~0.02, so
the -0.1 bias puts essentially every hidden unit below zero for every node. All ReLUs output 0
from the first step, no gradient reaches the GCN weights, and only the output bias can move:
the model predicts the majority class. Fix: zero biases (`nn.init.zeros_`).

Measured (seed 0, 1 thread): buggy: final train loss 1.383, test acc 0.220 (fraction of
active hidden units 0.000). Fixed copy: final train loss 0.0002, test acc 0.955.
"""
# traindebug-expect: dead_units
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N, K, D_IN, HIDDEN = 400, 4, 16, 64
rng = np.random.default_rng(0)
labels = np.repeat(np.arange(K), N // K)
rng.shuffle(labels)
same = labels[:, None] == labels[None, :]
probs = np.where(same, 0.05, 0.005)
upper = np.triu(rng.random((N, N)) < probs, 1)
adj = upper | upper.T

centers = rng.normal(0, 1, (K, D_IN))
feats = 0.6 * centers[labels] + rng.normal(0, 1.5, (N, D_IN))
feats = (feats - feats.mean(0)) / feats.std(0)


def normalized_adjacency(adj):
    a = adj.astype(np.float32) + np.eye(len(adj), dtype=np.float32)
    d = a.sum(1) ** -0.5
    a = d[:, None] * a * d[None, :]
    idx = np.nonzero(a)
    return torch.sparse_coo_tensor(np.stack(idx), a[idx], a.shape).coalesce()


A = normalized_adjacency(adj)
X = torch.tensor(feats, dtype=torch.float32)
Y = torch.tensor(labels)
perm = torch.randperm(N)
train_idx, test_idx = perm[: N // 2], perm[N // 2:]


class GCNLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)
        nn.init.normal_(self.lin.weight, std=0.01)
        nn.init.constant_(self.lin.bias, -0.1)

    def forward(self, x, a):
        return torch.sparse.mm(a, self.lin(x))


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([GCNLayer(D_IN, HIDDEN), GCNLayer(HIDDEN, HIDDEN)])
        self.out = nn.Linear(HIDDEN, K)

    def forward(self, x, a):
        for layer in self.layers:
            x = F.relu(layer(x, a))
        self.last_hidden = x
        return self.out(torch.sparse.mm(a, x))


model = GCN()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)

t0 = time.time()
for epoch in range(1, 251):
    model.train()
    logits = model(X, A)
    loss = F.cross_entropy(logits[train_idx], Y[train_idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 50 == 0:
        with torch.no_grad():
            acc = (logits[test_idx].argmax(1) == Y[test_idx]).float().mean().item()
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}  test acc {acc:.3f}")

model.eval()
with torch.no_grad():
    logits = model(X, A)
    test_acc = (logits[test_idx].argmax(1) == Y[test_idx]).float().mean().item()
    active = (model.last_hidden > 0).any(0).float().mean().item()
print(f"final train loss {loss.item():.4f}  test acc {test_acc:.3f}  active hidden units {active:.3f}")
print(f"time {time.time() - t0:.1f}s")

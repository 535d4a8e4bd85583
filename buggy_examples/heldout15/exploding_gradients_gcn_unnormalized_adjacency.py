"""Dense-adjacency GCN (4 propagation layers) on a stochastic-block-model graph (mean degree 14.6).
build_propagation computes the degree vector and D^-1/2 but returns the raw A + I, so each
layer multiplies by an unnormalised adjacency (spectral radius ~16). Activations and gradients
grow by about the mean degree per layer.
Measured at init: weight grad norms 760 / 2820 / 3750 / 3210 (bug) vs 0.006 / 0.008 / 0.013 / 0.019
(normalised), initial loss 243.5 vs 1.389. Training (200 Adam steps): loss 3.57, 1.28, 1.05, 0.66, 1.22
(noisy, never settles) vs 0.557, 0.089, 0.071, 0.055, 0.063; final test acc 0.960 vs 0.980.
"""
# traindebug-expect: exploding_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(4)
np.random.seed(4)
torch.set_num_threads(2)

# ---- stochastic block model graph with noisy node features ------------------
N_NODES, N_COMM, FEAT = 600, 4, 16
P_IN, P_OUT = 0.06, 0.012
rng = np.random.RandomState(4)
labels = rng.randint(0, N_COMM, size=N_NODES)
same = labels[:, None] == labels[None, :]
prob = np.where(same, P_IN, P_OUT)
upper = np.triu(rng.rand(N_NODES, N_NODES) < prob, k=1)
A = (upper | upper.T).astype(np.float32)
centers = rng.randn(N_COMM, FEAT).astype(np.float32)
X = centers[labels] * 0.35 + rng.randn(N_NODES, FEAT).astype(np.float32)

perm = rng.permutation(N_NODES)
train_idx = torch.tensor(perm[:240])
val_idx = torch.tensor(perm[240:400])
test_idx = torch.tensor(perm[400:])

A = torch.from_numpy(A)
X = torch.from_numpy(X)
y = torch.from_numpy(labels).long()
print(f"nodes {N_NODES}  edges {int(A.sum().item()) // 2}  mean degree {A.sum(1).mean():.1f}")


def build_propagation(adj):
    """Propagation matrix for GCN layers: adjacency with self loops."""
    a_hat = adj + torch.eye(adj.shape[0])
    deg = a_hat.sum(1)
    d_inv_sqrt = deg.pow(-0.5)
    return a_hat


class GCNLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, h, P):
        return P @ self.lin(h)


class GCN(nn.Module):
    def __init__(self, d_in, hidden, n_classes, n_layers=4, dropout=0.3):
        super().__init__()
        dims = [d_in] + [hidden] * (n_layers - 1)
        self.layers = nn.ModuleList([GCNLayer(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.cls = GCNLayer(hidden, n_classes)
        self.dropout = dropout

    def forward(self, x, P):
        h = x
        for layer in self.layers:
            h = F.relu(layer(h, P))
            h = F.dropout(h, self.dropout, self.training)
        return self.cls(h, P)


P = build_propagation(A)
model = GCN(FEAT, 32, N_COMM)
opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=5e-4)

for epoch in range(1, 201):
    model.train()
    out = model(X, P)
    loss = F.cross_entropy(out[train_idx], y[train_idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 40 == 0:
        model.eval()
        with torch.no_grad():
            out = model(X, P)
            va = (out[val_idx].argmax(1) == y[val_idx]).float().mean().item()
            te = (out[test_idx].argmax(1) == y[test_idx]).float().mean().item()
        print(f"epoch {epoch:3d}  loss {loss.item():.4g}  val acc {va:.3f}  test acc {te:.3f}")

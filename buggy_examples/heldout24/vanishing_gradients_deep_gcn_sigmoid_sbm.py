"""Six-layer graph convolutional network with a dense symmetric-normalized adjacency
(D^-1/2 (A+I) D^-1/2), node classification on a generated 4-block stochastic block model
(80 labelled nodes, full-batch Adam).

Seeded bug (vanishing_gradients): the hidden activation defaults to torch.sigmoid. Its
derivative is at most 0.25, and with the default Linear init each of the five hidden
propagation steps shrinks the backward signal by roughly an order of magnitude, so the
early GCN layers receive almost no gradient and the input features never reach the head.

Measured at init: weight-gradient norms from first to output layer 1.6e-5, 1.9e-4, 1.1e-3,
6.7e-3, 4.3e-2, 2.7e-1 (ratio first/last 6e-5); fixed copy (act=torch.relu) 1.4e-3 ...
2.0e-2 (ratio 0.07). After 200 steps: buggy loss 1.387 -> 1.373 (ln 4 = 1.386), val acc
0.231 (chance); fixed copy loss -> 0.04-0.14, val acc 0.95-1.00.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---- synthetic stochastic block model -------------------------------------
N_PER_BLOCK, N_BLOCKS, FEAT_DIM = 60, 4, 16
P_IN, P_OUT = 0.25, 0.02
n = N_PER_BLOCK * N_BLOCKS
labels = np.repeat(np.arange(N_BLOCKS), N_PER_BLOCK)
probs = np.where(labels[:, None] == labels[None, :], P_IN, P_OUT)
upper = np.triu(rng.random((n, n)) < probs, k=1)
adj = (upper | upper.T).astype(np.float32)
centers = rng.normal(0, 1, (N_BLOCKS, FEAT_DIM))
feats = centers[labels] * 0.4 + rng.normal(0, 1, (n, FEAT_DIM))

A = torch.tensor(adj)
X = torch.tensor(feats, dtype=torch.float32)
y = torch.tensor(labels)
perm = torch.randperm(n)
train_idx, val_idx = perm[:80], perm[80:]


def normalized_adjacency(A):
    """Symmetric GCN normalisation  D^-1/2 (A + I) D^-1/2."""
    A_tilde = A + torch.eye(A.shape[0])
    deg = A_tilde.sum(dim=1)
    d_inv_sqrt = deg.pow(-0.5)
    return d_inv_sqrt[:, None] * A_tilde * d_inv_sqrt[None, :]


class GCNLayer(nn.Module):
    def __init__(self, din, dout):
        super().__init__()
        self.lin = nn.Linear(din, dout)

    def forward(self, h, a_hat):
        return a_hat @ self.lin(h)


class GCN(nn.Module):
    def __init__(self, din, hidden, n_classes, n_layers=6, act=torch.sigmoid, dropout=0.2):
        super().__init__()
        dims = [din] + [hidden] * (n_layers - 1)
        self.layers = nn.ModuleList(GCNLayer(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = GCNLayer(hidden, n_classes)
        self.dropout = dropout
        self.act = act

    def forward(self, x, a_hat):
        h = x
        for layer in self.layers:
            h = F.dropout(self.act(layer(h, a_hat)), self.dropout, self.training)
        return self.out(h, a_hat)


A_hat = normalized_adjacency(A)
model = GCN(FEAT_DIM, 32, N_BLOCKS)
opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)

for epoch in range(200):
    model.train()
    opt.zero_grad()
    logits = model(X, A_hat)
    loss = F.cross_entropy(logits[train_idx], y[train_idx])
    loss.backward()
    opt.step()
    if epoch % 25 == 0 or epoch == 199:
        model.eval()
        with torch.no_grad():
            pred = model(X, A_hat).argmax(1)
            val_acc = (pred[val_idx] == y[val_idx]).float().mean().item()
        print(f"epoch {epoch:3d} loss {loss.item():.4f} val acc {val_acc:.3f}")

"""Two-layer graph convolutional network (dense adjacency) for node-level
regression on a synthetic sensor network (predict a node's smoothed load from
its own and its neighbours' readings).

Seeded bug (saturated_units): ``build_propagation_matrix`` adds self loops but
returns ``A + I`` instead of the symmetrically normalised
``D^-1/2 (A + I) D^-1/2``.  Each node therefore *sums* the transformed features
of its ~40-200 neighbours, so most tanh pre-activations have |z| far above 3
and the hidden units sit on the flat part of tanh (output ~ +-1, local
gradient ~0) for the whole run; the network cannot represent graded values.

Measured (seed 0, 300 Adam steps, full batch; mean degree ~104): buggy run -
91% of conv1 and 98% of conv2 tanh pre-activations have |z| > 3 at step 0, and
still 91% / 98% at the last step; final train MSE 0.29, test MSE 0.33 (targets
standardised).  Fixed copy (normalised adjacency): 0% of pre-activations with
|z| > 3 at init and at the end, train MSE 0.09, test MSE 0.18.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_NODES, N_FEAT = 800, 6


def make_sensor_graph(rng):
    # nodes live on a 2-D plane; each node has its own connection radius, so
    # degrees are heterogeneous
    pos = rng.rand(N_NODES, 2)
    radius = rng.uniform(0.12, 0.28, size=N_NODES)
    dist = np.sqrt(((pos[:, None] - pos[None]) ** 2).sum(-1))
    A = (dist < np.maximum(radius[:, None], radius[None, :])).astype(np.float32)
    np.fill_diagonal(A, 0.0)
    X = rng.randn(N_NODES, N_FEAT).astype(np.float32)
    # ground truth: smooth nonlinear function of neighbourhood averages
    A_self = A + np.eye(N_NODES, dtype=np.float32)
    nb_mean = A_self @ X / A_self.sum(1, keepdims=True)
    w1, w2 = rng.randn(N_FEAT), rng.randn(N_FEAT)
    s1, s2 = nb_mean @ w1, nb_mean @ w2
    y = np.sin(2.0 * s1) + 0.5 * s2 ** 2 + 0.3 * (X @ w1) / np.sqrt(N_FEAT)
    y = (y - y.mean()) / y.std() + 0.05 * rng.randn(N_NODES)
    return torch.tensor(A), torch.tensor(X), torch.tensor(y, dtype=torch.float32)


def build_propagation_matrix(A):
    A_hat = A + torch.eye(A.shape[0])
    deg = A_hat.sum(1)
    d_inv_sqrt = deg.pow(-0.5)
    # symmetric normalisation D^-1/2 A D^-1/2
    P = A_hat
    return P


class GraphConv(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, x, P):
        return P @ self.lin(x)


class GCN(nn.Module):
    def __init__(self, d_in, d_hidden):
        super().__init__()
        self.conv1 = GraphConv(d_in, d_hidden)
        self.conv2 = GraphConv(d_hidden, d_hidden)
        self.skip = nn.Linear(d_in, d_hidden)
        self.readout = nn.Sequential(nn.Linear(d_hidden, d_hidden), nn.Tanh(), nn.Linear(d_hidden, 1))

    def forward(self, x, P):
        h = torch.tanh(self.conv1(x, P))
        h = torch.tanh(self.conv2(h, P) + self.skip(x))
        return self.readout(h).squeeze(-1)


def main():
    rng = np.random.RandomState(0)
    A, X, y = make_sensor_graph(rng)
    P = build_propagation_matrix(A)
    deg = A.sum(1)
    print(f"nodes {N_NODES} mean degree {deg.mean():.1f} (min {deg.min():.0f}, max {deg.max():.0f})")
    perm = torch.randperm(N_NODES)
    train_idx, test_idx = perm[:600], perm[600:]

    model = GCN(N_FEAT, 48)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    for step in range(300):
        model.train()
        pred = model(X, P)
        loss = F.mse_loss(pred[train_idx], y[train_idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 60 == 0 or step == 299:
            model.eval()
            with torch.no_grad():
                pred = model(X, P)
                te = F.mse_loss(pred[test_idx], y[test_idx]).item()
            print(f"step {step:3d} train_mse {loss.item():.4f} test_mse {te:.4f}")


if __name__ == "__main__":
    main()

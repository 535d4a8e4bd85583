"""Semi-supervised node classification with a two-layer GCN (Kipf & Welling) on a synthetic
citation-like graph: 600 nodes in 6 communities (stochastic block model, p_in 0.06,
p_out 0.003) with weak, noisy 32-d bag-of-features vectors. Only 20 labelled nodes per class are
used for training (120 nodes), 120 for validation and the remaining 360 for test. Full-batch
training: every step runs the whole graph (dense normalised adjacency A_hat = D^-1/2 (A+I) D^-1/2),
dropout 0.5 on the input and hidden layer, Adam lr 0.01 with weight decay 5e-4 (the paper's
settings), 200 steps, model selection on the validation loss.

Healthy control: a standard, correctly wired GCN that beats a feature-only MLP by a wide margin.

Possible false alarm: the "batch" is the entire graph and each node's prediction depends by
design on the features of its neighbours (and, through two hops, on many other nodes), so
perturbing one row of the input changes other rows of the output. A detector that tests for
cross-sample dependence (batch_mixing) would misfire; the loss is also computed on only 20% of
the rows of the output.

Measured (plain python, 1 thread): GCN test accuracy 0.942 (train loss 1.34 at step 40 -> ~0.5,
best val loss 0.354) versus 0.306 for the same network with the adjacency replaced by the
identity (feature-only MLP).
"""
# traindebug-expect: clean
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N, K, D = 600, 6, 32
comm = np.repeat(np.arange(K), N // K)
prob = np.where(comm[:, None] == comm[None, :], 0.06, 0.003)
upper = np.triu(rng.random((N, N)) < prob, k=1)
A = torch.tensor(upper | upper.T, dtype=torch.float32)

topic = rng.random((K, D)) < 0.2
feat = (rng.random((N, D)) < np.where(topic[comm], 0.3, 0.12)).astype(np.float32)
X = torch.tensor(feat)
X = X / X.sum(1, keepdim=True).clamp(min=1)
y = torch.tensor(comm)

perm = rng.permutation(N)
train_idx = np.concatenate([perm[comm[perm] == c][:20] for c in range(K)])
rest = np.setdiff1d(perm, train_idx)
rest = rng.permutation(rest)
val_idx, test_idx = torch.tensor(rest[:120]), torch.tensor(rest[120:])
train_idx = torch.tensor(train_idx)


def normalise(adj):
    a = adj + torch.eye(adj.shape[0])
    d = a.sum(1).pow(-0.5)
    return d[:, None] * a * d[None, :]


class GCN(nn.Module):
    def __init__(self, d_in, hidden, n_cls, p_drop=0.5):
        super().__init__()
        self.lin1 = nn.Linear(d_in, hidden)
        self.lin2 = nn.Linear(hidden, n_cls)
        self.p = p_drop

    def forward(self, x, a_hat):
        x = F.dropout(x, self.p, self.training)
        h = F.relu(a_hat @ self.lin1(x))
        h = F.dropout(h, self.p, self.training)
        return a_hat @ self.lin2(h)


def fit(a_hat, tag, verbose=True):
    torch.manual_seed(0)
    model = GCN(D, 64, K)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    best = (float("inf"), None)
    for step in range(1, 201):
        model.train()
        out = model(X, a_hat)
        loss = F.cross_entropy(out[train_idx], y[train_idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val_loss = F.cross_entropy(model(X, a_hat)[val_idx], y[val_idx]).item()
        if val_loss < best[0]:
            best = (val_loss, copy.deepcopy(model.state_dict()))
        if verbose and step % 40 == 0:
            print(f"[{tag}] step {step:4d}  train loss {loss.item():.4f}  val loss {val_loss:.4f}")
    model.load_state_dict(best[1])
    model.eval()
    with torch.no_grad():
        acc = (model(X, a_hat)[test_idx].argmax(1) == y[test_idx]).float().mean().item()
    return acc, best[0]


gcn_acc, gcn_val = fit(normalise(A), "gcn")
mlp_acc, _ = fit(torch.eye(N), "mlp", verbose=False)
print(f"final GCN test acc {gcn_acc:.3f} (best val loss {gcn_val:.4f})  feature-only MLP test acc {mlp_acc:.3f}")

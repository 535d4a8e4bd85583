"""
GraphSAGE-style node classifier on a synthetic *directed* graph (600 nodes, each node receives
edges from 5 random sources; 8-d Gaussian node features). The 3-class label of a node depends on
features two hops upstream (mean over in-neighbours of a nonlinear function of their own
in-neighbour means), so both message-passing layers are needed. Two SAGE layers
(h' = ReLU(W_self h + W_neigh mean_{in-neighbours} h)), 64 hidden units, linear classifier,
full-batch Adam lr 1e-2, weight decay 5e-4, 300 steps, 60/40 transductive node split.
Mean aggregation is a small custom torch.autograd.Function over a sparse COO adjacency so the
dense normalised matrix is never materialised.

Seeded bug: the hand-written backward of the sparse mean aggregation returns
`torch.sparse.mm(adj, grad_out) / deg`, i.e. it copies the forward formula. The correct
vector-Jacobian product is `adj^T (grad_out / deg)`: for a directed graph the gradient of a
message has to flow back from the receivers to the *senders*. As written, every node's feature
gradient is gathered from the wrong set of nodes (its own in-neighbours) with the wrong
normalisation, so the first layer is trained with essentially unrelated gradients
(finite-difference check: relative error ~1.0 on the first-layer weights).

Measured (seed 0, 1 thread): both runs fit the 360 training nodes (train acc 1.00; the
self/last-layer path can memorise them), but the first layer only learns useful 2-hop features
with the correct gradient. Buggy: final train loss 0.006, test acc 0.51. Fixed copy
(`torch.sparse.mm(adj.t(), grad_out / deg)`): final train loss 0.003, test acc 0.77.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_NODES, IN_DEG, N_FEAT = 600, 5, 8

rng = np.random.default_rng(0)
dst = np.repeat(np.arange(N_NODES), IN_DEG)
src = np.concatenate([rng.choice(np.delete(np.arange(N_NODES), i), IN_DEG, replace=False)
                      for i in range(N_NODES)])
edge_index = torch.tensor(np.stack([dst, src]))
adj = torch.sparse_coo_tensor(edge_index, torch.ones(edge_index.shape[1]), (N_NODES, N_NODES),
                              check_invariants=False).coalesce()
deg = torch.sparse.sum(adj, dim=1).to_dense().clamp(min=1).unsqueeze(1)

x = torch.randn(N_NODES, N_FEAT)
w1, w2 = torch.randn(N_FEAT, 4), torch.randn(4)
with torch.no_grad():
    hop1 = torch.tanh(torch.sparse.mm(adj, x) / deg @ w1)
    score = (torch.sparse.mm(adj, hop1) / deg) @ w2 + 0.3 * x[:, 0]
    q = torch.quantile(score, torch.tensor([1 / 3, 2 / 3]))
    y = torch.bucketize(score, q)

perm = torch.randperm(N_NODES)
train_idx, test_idx = perm[:360], perm[360:]


class SparseMeanAggregate(torch.autograd.Function):
    @staticmethod
    def forward(ctx, adj, deg, h):
        ctx.save_for_backward(adj, deg)
        return torch.sparse.mm(adj, h) / deg

    @staticmethod
    def backward(ctx, grad_out):
        adj, deg = ctx.saved_tensors
        grad_h = torch.sparse.mm(adj, grad_out) / deg
        return None, None, grad_h


class SAGELayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin_self = nn.Linear(d_in, d_out)
        self.lin_neigh = nn.Linear(d_in, d_out, bias=False)

    def forward(self, h, adj, deg):
        return self.lin_self(h) + self.lin_neigh(SparseMeanAggregate.apply(adj, deg, h))


class SAGE(nn.Module):
    def __init__(self, d_in, d_hidden, n_classes):
        super().__init__()
        self.conv1 = SAGELayer(d_in, d_hidden)
        self.conv2 = SAGELayer(d_hidden, d_hidden)
        self.cls = nn.Linear(d_hidden, n_classes)

    def forward(self, h, adj, deg):
        h = F.relu(self.conv1(h, adj, deg))
        h = F.relu(self.conv2(h, adj, deg))
        return self.cls(h)


model = SAGE(N_FEAT, 64, 3)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=5e-4)

for step in range(1, 301):
    model.train()
    logits = model(x, adj, deg)
    loss = F.cross_entropy(logits[train_idx], y[train_idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        model.eval()
        with torch.no_grad():
            pred = model(x, adj, deg).argmax(1)
        train_acc = (pred[train_idx] == y[train_idx]).float().mean().item()
        test_acc = (pred[test_idx] == y[test_idx]).float().mean().item()
        print(f"step {step:3d}  loss {loss.item():.3f}  train_acc {train_acc:.3f}  test_acc {test_acc:.3f}")

print(f"final: train_loss {loss.item():.3f}  train_acc {train_acc:.3f}  test_acc {test_acc:.3f}")

"""Two-layer GraphSAGE (mean aggregation written with index_add_ on an edge
list) for semi-supervised node classification on a synthetic 4-community
stochastic block model (1200 nodes, noisy class-centred 16-d features).
Full-batch training on 600 labelled nodes, Adam lr 5e-3, weight decay 5e-4,
dropout 0.3, 200 steps; validation every 40 epochs and a final test split.

Seeded bug: before training the nodes are re-numbered by degree ("hubs next to
each other"): the feature matrix is permuted with `order` and the edge list
is remapped through the inverse permutation, but the label vector y is left in
the original node order.  Every node therefore carries the label of some
other, unrelated node; features and graph remain consistent with each other
but not with the labels, so there is no learnable signal.  The network only
memorises the training nodes (train acc creeps up while validation loss
rises) and predicts held-out nodes at chance.
Measured (fixed copy adds `y_np = y_np[order]`): test accuracy 0.233 vs 0.897,
test loss 2.458 vs 0.328, final val loss 2.398 vs 0.276.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---------------------------------------------------------------- graph data
N_NODES, N_CLASSES, N_FEAT = 1200, 4, 16
P_IN, P_OUT = 0.012, 0.002

y_np = rng.integers(0, N_CLASSES, size=N_NODES)
same = y_np[:, None] == y_np[None, :]
prob = np.where(same, P_IN, P_OUT)
upper = np.triu(rng.random((N_NODES, N_NODES)) < prob, k=1)
src, dst = np.nonzero(upper)
edges = np.concatenate([np.stack([src, dst]), np.stack([dst, src])], axis=1)

centers = rng.normal(0, 1, size=(N_CLASSES, N_FEAT))
x_np = centers[y_np] * 0.6 + rng.normal(0, 1.0, size=(N_NODES, N_FEAT))

# relabel nodes by degree so high-degree hubs sit next to each other in memory
deg = np.bincount(edges[0], minlength=N_NODES)
order = np.argsort(-deg, kind="stable")
new_id = np.empty_like(order)
new_id[order] = np.arange(N_NODES)
x_np = x_np[order]
edges = new_id[edges]

x = torch.tensor(x_np, dtype=torch.float32)
y = torch.tensor(y_np, dtype=torch.long)
edge_index = torch.tensor(edges, dtype=torch.long)

perm = torch.randperm(N_NODES)
train_idx, val_idx, test_idx = perm[:600], perm[600:800], perm[800:]
print(f"nodes {N_NODES}  edges {edge_index.shape[1]}  mean degree {edge_index.shape[1] / N_NODES:.1f}")


# ---------------------------------------------------------------- model
def mean_aggregate(h, edge_index, num_nodes):
    src, dst = edge_index
    out = torch.zeros(num_nodes, h.shape[1]).index_add_(0, dst, h[src])
    cnt = torch.zeros(num_nodes).index_add_(0, dst, torch.ones(dst.numel()))
    return out / cnt.clamp(min=1).unsqueeze(1)


class SAGELayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin_self = nn.Linear(d_in, d_out)
        self.lin_neigh = nn.Linear(d_in, d_out, bias=False)

    def forward(self, h, edge_index):
        return self.lin_self(h) + self.lin_neigh(mean_aggregate(h, edge_index, h.shape[0]))


class GraphSAGE(nn.Module):
    def __init__(self, d_in, d_hidden, n_out, dropout=0.3):
        super().__init__()
        self.conv1 = SAGELayer(d_in, d_hidden)
        self.conv2 = SAGELayer(d_hidden, n_out)
        self.dropout = dropout

    def forward(self, x, edge_index):
        h = F.relu(self.conv1(x, edge_index))
        h = F.dropout(h, self.dropout, self.training)
        return self.conv2(h, edge_index)


model = GraphSAGE(N_FEAT, 64, N_CLASSES)
opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=5e-4)


@torch.no_grad()
def evaluate(idx):
    model.eval()
    logits = model(x, edge_index)
    loss = F.cross_entropy(logits[idx], y[idx]).item()
    acc = (logits[idx].argmax(1) == y[idx]).float().mean().item()
    return loss, acc


# full-batch training on the train nodes
for epoch in range(1, 201):
    model.train()
    logits = model(x, edge_index)
    loss = F.cross_entropy(logits[train_idx], y[train_idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 40 == 0:
        vl, va = evaluate(val_idx)
        tr_acc = (logits[train_idx].argmax(1) == y[train_idx]).float().mean().item()
        print(f"epoch {epoch:3d}  train loss {loss.item():.4f}  train acc {tr_acc:.3f}  val loss {vl:.4f}  val acc {va:.3f}")

test_loss, test_acc = evaluate(test_idx)
print(f"test loss {test_loss:.4f}  test acc {test_acc:.3f}")

"""
GIN (Xu et al.) graph classifier on generated graphs. Each graph has 12-20 nodes, each node
one of 3 types (one-hot features), and about 2.5 edges per node. The class is the wiring
pattern: 0 = assortative (edges mostly join same-type nodes), 1 = disassortative (edges mostly
join different types), 2 = random. Type counts and degree distributions are identical across
classes, so the network has to learn how a node's type relates to its neighbours' types.
Model: 3 GIN layers (h' = MLP((1 + eps) h + sum_neighbours h), 2-layer MLPs with ReLU, hidden 32),
sum + mean readout, linear head. Sparse message passing with index_add_ over a block-diagonal
mini-batch. Adam lr 3e-3, batch 32 graphs, 10 epochs over 720 training graphs (220 steps),
240 test graphs.

Seeded bug: the GIN layers are kept in a plain Python list (`self.convs = [GINLayer(...) ...]`)
instead of nn.ModuleList, so their parameters are not registered: `model.parameters()` only
returns the readout head. The layers still sit in the autograd graph and receive gradients
every step, but the optimizer never updates them, so the head is trained on fixed random
message-passing features. Fix: `nn.ModuleList([...])`.

Measured (seed 0, 1 thread): buggy: final train loss 0.983, test acc 0.608. Fixed copy:
final train loss 0.264, test acc 0.900.
"""
# traindebug-expect: frozen_or_unoptimized
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_TYPES, HIDDEN, N_CLASSES = 3, 32, 3


def make_graph(rng, label):
    n = rng.integers(12, 21)
    types = rng.integers(0, N_TYPES, n)
    same = types[:, None] == types[None, :]
    if label == 0:
        w = np.where(same, 1.0, 0.1)
    elif label == 1:
        w = np.where(same, 0.1, 1.0)
    else:
        w = np.ones((n, n))
    np.fill_diagonal(w, 0)
    iu = np.triu_indices(n, 1)
    p = w[iu] / w[iu].sum()
    m = int(1.25 * n)
    chosen = rng.choice(len(p), size=m, replace=False, p=p)
    src, dst = iu[0][chosen], iu[1][chosen]
    edges = np.concatenate([np.stack([src, dst]), np.stack([dst, src])], 1)
    x = np.eye(N_TYPES, dtype=np.float32)[types]
    return torch.tensor(x), torch.tensor(edges, dtype=torch.long), label


rng = np.random.default_rng(0)
graphs = [make_graph(rng, i % N_CLASSES) for i in range(960)]
order = rng.permutation(len(graphs))
train_graphs = [graphs[i] for i in order[:720]]
test_graphs = [graphs[i] for i in order[720:]]


def collate(batch):
    xs, edges, batch_vec, ys, offset = [], [], [], [], 0
    for gi, (x, e, y) in enumerate(batch):
        xs.append(x)
        edges.append(e + offset)
        batch_vec.append(torch.full((len(x),), gi, dtype=torch.long))
        ys.append(y)
        offset += len(x)
    return torch.cat(xs), torch.cat(edges, 1), torch.cat(batch_vec), torch.tensor(ys)


class GINLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.eps = nn.Parameter(torch.zeros(1))
        self.mlp = nn.Sequential(nn.Linear(d_in, d_out), nn.ReLU(), nn.Linear(d_out, d_out), nn.ReLU())

    def forward(self, x, edge_index):
        src, dst = edge_index
        agg = torch.zeros_like(x).index_add_(0, dst, x[src])
        return self.mlp((1 + self.eps) * x + agg)


class GIN(nn.Module):
    def __init__(self, n_layers=3):
        super().__init__()
        dims = [N_TYPES] + [HIDDEN] * n_layers
        self.convs = [GINLayer(dims[i], dims[i + 1]) for i in range(n_layers)]
        self.head = nn.Linear(2 * HIDDEN, N_CLASSES)

    def forward(self, x, edge_index, batch_vec, n_graphs):
        for conv in self.convs:
            x = conv(x, edge_index)
        summed = torch.zeros(n_graphs, x.shape[1]).index_add_(0, batch_vec, x)
        counts = torch.bincount(batch_vec, minlength=n_graphs).clamp(min=1).unsqueeze(1)
        return self.head(torch.cat([summed / 10.0, summed / counts], 1))


def evaluate(model, data):
    model.eval()
    x, e, b, y = collate(data)
    with torch.no_grad():
        logits = model(x, e, b, len(data))
    return nn.functional.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


model = GIN()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()

t0 = time.time()
step = 0
for epoch in range(1, 11):
    model.train()
    perm = np.random.permutation(len(train_graphs))
    for i in range(0, len(perm) - 31, 32):
        x, e, b, y = collate([train_graphs[j] for j in perm[i:i + 32]])
        loss = loss_fn(model(x, e, b, 32), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    tr_loss, tr_acc = evaluate(model, train_graphs)
    te_loss, te_acc = evaluate(model, test_graphs)
    print(f"epoch {epoch}  steps {step}  train loss {tr_loss:.3f} acc {tr_acc:.3f}  test loss {te_loss:.3f} acc {te_acc:.3f}")

print(f"final train loss {tr_loss:.3f}  test acc {te_acc:.3f}")
print(f"time {time.time() - t0:.1f}s")

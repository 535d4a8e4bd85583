"""Graph classification with a small message-passing network written without PyG. Each graph has
16 nodes with a +-1 "spin" feature (plus noise and 3 nuisance features); class 1 graphs are wired
homophilously (same-spin pairs linked with p=0.35, opposite-spin with p=0.08), class 0 graphs the
other way round, so the label is only visible through neighbourhood agreement. Mini-batches of
32 graphs are merged into one disconnected graph (edge indices offset per graph) and processed
by two GraphSAGE-style layers (self + mean-of-neighbours, hidden 32, ReLU), then mean-pooled per
graph with index_add_ and classified by an MLP. Adam lr 3e-3, 2000 train / 500 test graphs,
300 steps.

Seeded bug: the graph-membership vector used for pooling is built with
torch.arange(B).repeat(N) instead of torch.arange(B).repeat_interleave(N). Nodes are stored graph
by graph, so repeat assigns node k to graph k % B and every pooled "graph" embedding is the
average of nodes taken from many different graphs in the batch - each prediction depends on the
other graphs in the mini-batch. A classic repeat vs repeat_interleave confusion.

Measured (plain python, 1 thread): train accuracy 0.521 / test accuracy 0.486 (loss stuck at
0.69) with the bug versus train 0.999 / test 0.998 for a fixed copy using repeat_interleave.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_NODES = 16
N_FEAT = 4


def make_graph(label):
    spin = rng.choice([-1.0, 1.0], size=N_NODES)
    same = spin[:, None] == spin[None, :]
    p_same, p_diff = (0.35, 0.08) if label == 1 else (0.08, 0.35)
    prob = np.where(same, p_same, p_diff)
    upper = np.triu(rng.random((N_NODES, N_NODES)) < prob, k=1)
    src, dst = np.nonzero(upper | upper.T)
    feats = np.concatenate([spin[:, None] + 0.3 * rng.normal(size=(N_NODES, 1)),
                            rng.normal(size=(N_NODES, N_FEAT - 1))], axis=1)
    return feats.astype(np.float32), np.stack([src, dst])


def make_dataset(n):
    labels = rng.integers(0, 2, size=n)
    graphs = [make_graph(lbl) for lbl in labels]
    return graphs, torch.tensor(labels)


train_graphs, train_y = make_dataset(2000)
test_graphs, test_y = make_dataset(500)


def collate(graphs):
    xs, edges = [], []
    for i, (x, e) in enumerate(graphs):
        xs.append(torch.from_numpy(x))
        edges.append(torch.from_numpy(e) + i * N_NODES)
    x = torch.cat(xs)
    edge_index = torch.cat(edges, dim=1).long()
    batch = torch.arange(len(graphs)).repeat(N_NODES)
    return x, edge_index, batch, len(graphs)


class SageLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.self_lin = nn.Linear(d_in, d_out)
        self.nbr_lin = nn.Linear(d_in, d_out, bias=False)

    def forward(self, x, edge_index):
        src, dst = edge_index
        agg = torch.zeros_like(x).index_add_(0, dst, x[src])
        deg = torch.zeros(x.shape[0]).index_add_(0, dst, torch.ones(dst.shape[0]))
        agg = agg / deg.clamp(min=1).unsqueeze(1)
        return self.self_lin(x) + self.nbr_lin(agg)


class GraphClassifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.conv1 = SageLayer(N_FEAT, hidden)
        self.conv2 = SageLayer(hidden, hidden)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x, edge_index, batch, n_graphs):
        h = F.relu(self.conv1(x, edge_index))
        h = F.relu(self.conv2(h, edge_index))
        pooled = torch.zeros(n_graphs, h.shape[1]).index_add_(0, batch, h)
        counts = torch.zeros(n_graphs).index_add_(0, batch, torch.ones(h.shape[0]))
        return self.head(pooled / counts.unsqueeze(1))


model = GraphClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)


def evaluate(graphs, labels, bs=100):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(graphs), bs):
            logits = model(*collate(graphs[i:i + bs]))
            correct += (logits.argmax(1) == labels[i:i + bs]).sum().item()
    return correct / len(graphs)


step = 0
while step < 300:
    perm = rng.permutation(len(train_graphs))
    for i in range(0, len(perm) - 31, 32):
        idx = perm[i:i + 32]
        logits = model(*collate([train_graphs[j] for j in idx]))
        loss = F.cross_entropy(logits, train_y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  loss {loss.item():.4f}  test acc {evaluate(test_graphs, test_y):.3f}")
        if step == 300:
            break

print(f"final train acc {evaluate(train_graphs, train_y):.3f}  test acc {evaluate(test_graphs, test_y):.3f}")

"""
Graph classification with a dense-adjacency GCN on synthetic 14-node graphs from three random
graph families (Erdos-Renyi, two-community SBM, ring lattice with random chords; matched mean
degree, so the model has to look at structure, not just density). Node features: degree,
local clustering coefficient, constant 1. Two GCN layers on the symmetric-normalised
adjacency with self loops (batched torch.bmm), node-wise MLP, sum readout, linear classifier.
Trainer-style loop: Adam lr 5e-3, batch 32 graphs, 15 epochs (~285 steps), eval each epoch.

Seeded bug: for the node-wise MLP the node states are flattened to (B*N, F) and afterwards
regrouped for the per-graph sum readout with `h.view(N, B, -1).sum(0)` instead of
`h.view(B, N, -1).sum(1)`. Because the flat rows are graph-major, "graph" b of the readout now
sums rows b, B+b, 2B+b, ... which belong to ~14 different graphs in the batch: each prediction
is a mixture of nodes from other samples, the result depends on batch composition, and the
classifier only sees batch-averaged structure.

Measured (seed 0, 1 thread): Buggy: final train loss 1.103, train acc 0.35, test acc 0.33
(chance). Fixed copy (`h.view(B, N, -1).sum(1)`): final train loss 0.247, train acc 0.91,
test acc 0.90.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_NODES = 14
rng = np.random.default_rng(0)


def erdos_renyi(p=0.3):
    a = np.triu(rng.random((N_NODES, N_NODES)) < p, 1)
    return a | a.T


def two_community(p_in=0.55, p_out=0.06):
    half = N_NODES // 2
    block = np.zeros((N_NODES, N_NODES), dtype=bool)
    block[:half, :half] = block[half:, half:] = True
    probs = np.where(block, p_in, p_out)
    a = np.triu(rng.random((N_NODES, N_NODES)) < probs, 1)
    return a | a.T


def ring_lattice(n_chords=4):
    a = np.zeros((N_NODES, N_NODES), dtype=bool)
    for i in range(N_NODES):
        for k in (1, 2):
            a[i, (i + k) % N_NODES] = True
    for _ in range(n_chords):
        i, j = rng.choice(N_NODES, 2, replace=False)
        a[i, j] = True
    a = a | a.T
    np.fill_diagonal(a, False)
    return a


def node_features(a):
    a = a.astype(np.float64)
    deg = a.sum(1)
    tri = np.diag(a @ a @ a) / 2
    clust = np.where(deg > 1, 2 * tri / np.maximum(deg * (deg - 1), 1), 0.0)
    return np.stack([deg / 4.0, clust, np.ones(N_NODES)], axis=1)


def make_dataset(n):
    adjs, feats, labels = [], [], []
    makers = [erdos_renyi, two_community, ring_lattice]
    for i in range(n):
        label = i % 3
        a = makers[label]()
        perm = rng.permutation(N_NODES)
        a = a[perm][:, perm]
        a_hat = a + np.eye(N_NODES)
        d = 1.0 / np.sqrt(a_hat.sum(1))
        adjs.append(a_hat * d[:, None] * d[None, :])
        feats.append(node_features(a))
        labels.append(label)
    return (torch.tensor(np.array(adjs), dtype=torch.float32),
            torch.tensor(np.array(feats), dtype=torch.float32),
            torch.tensor(labels))


train_adj, train_x, train_y = make_dataset(600)
test_adj, test_x, test_y = make_dataset(300)


class DenseGCN(nn.Module):
    def __init__(self, d_in, d_hidden, n_classes):
        super().__init__()
        self.conv1 = nn.Linear(d_in, d_hidden)
        self.conv2 = nn.Linear(d_hidden, d_hidden)
        self.node_mlp = nn.Sequential(nn.Linear(d_hidden, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_hidden))
        self.classifier = nn.Linear(d_hidden, n_classes)

    def forward(self, adj, x):
        B, N, _ = x.shape
        h = F.relu(self.conv1(torch.bmm(adj, x)))
        h = F.relu(self.conv2(torch.bmm(adj, h)))
        h = self.node_mlp(h.reshape(B * N, -1))
        g = h.view(N, B, -1).sum(0)
        return self.classifier(g)


class Trainer:
    def __init__(self, model, lr=5e-3, batch_size=32):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.batch_size = batch_size

    def train_epoch(self, adj, x, y):
        self.model.train()
        perm = torch.randperm(len(y))
        total = correct = 0.0
        for i in range(0, len(y) - self.batch_size + 1, self.batch_size):
            idx = perm[i:i + self.batch_size]
            logits = self.model(adj[idx], x[idx])
            loss = F.cross_entropy(logits, y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += loss.item() * len(idx)
            correct += (logits.argmax(1) == y[idx]).sum().item()
        n = (len(y) // self.batch_size) * self.batch_size
        return total / n, correct / n

    @torch.no_grad()
    def evaluate(self, adj, x, y):
        self.model.eval()
        correct = 0
        for i in range(0, len(y), self.batch_size):
            logits = self.model(adj[i:i + self.batch_size], x[i:i + self.batch_size])
            correct += (logits.argmax(1) == y[i:i + self.batch_size]).sum().item()
        return correct / len(y)


trainer = Trainer(DenseGCN(3, 32, 3))
for epoch in range(15):
    train_loss, train_acc = trainer.train_epoch(train_adj, train_x, train_y)
    test_acc = trainer.evaluate(test_adj, test_x, test_y)
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d}  train_loss {train_loss:.3f}  train_acc {train_acc:.3f}  test_acc {test_acc:.3f}")

print(f"final: train_loss {train_loss:.3f}  train_acc {train_acc:.3f}  test_acc {test_acc:.3f}")

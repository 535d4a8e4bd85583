"""
E(n)-equivariant GNN (EGNN layers in PyG style: flat node list, edge_index, scatter-sum
aggregation) classifying generated 3-D point clouds of 12 points into 4 shape classes
(ring, line segment, planar square grid-ish patch, isotropic blob), each randomly rotated,
scaled and jittered. Node features start from a learned constant vector; only pairwise
distances carry information, so the model is rotation invariant. 2 EGNN layers (F = 32,
SiLU), sum pooling per graph, linear classifier. AdamW lr 3e-3, batch 32, 8 epochs
(200 steps).

Seeded bug: the graph-membership vector used for pooling is built with
torch.arange(B).repeat(N) instead of torch.arange(B).repeat_interleave(N). Nodes are
stored graph by graph (node k belongs to graph k // N), but .repeat tiles 0..B-1, so
node k is pooled into graph k % B: every pooled graph embedding is a sum of nodes taken
from 12 different clouds of the batch, and each prediction depends on the other samples.
The edge_index offsets are correct, so message passing itself stays within each graph.

Measured (seed 0, 1 thread): buggy: test accuracy 0.247 (chance 0.25), final train loss
1.386 (= ln 4). Fixed copy (repeat_interleave): test accuracy 0.943, train loss 0.259.
"""
# traindebug-expect: batch_mixing
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_PTS, N_CLASSES, HID = 12, 4, 32


def random_rotation():
    q, r = torch.linalg.qr(torch.randn(3, 3))
    return q * torch.sign(torch.diagonal(r))


def make_shape(c):
    u = torch.rand(N_PTS)
    if c == 0:
        ang = 2 * math.pi * u
        p = torch.stack([ang.cos(), ang.sin(), torch.zeros(N_PTS)], 1)
    elif c == 1:
        p = torch.stack([2 * u - 1, torch.zeros(N_PTS), torch.zeros(N_PTS)], 1) * 1.5
    elif c == 2:
        p = torch.cat([torch.rand(N_PTS, 2) * 2 - 1, torch.zeros(N_PTS, 1)], 1)
    else:
        p = torch.randn(N_PTS, 3) * 0.6
    p = p * (0.8 + 0.4 * torch.rand(1)) + 0.05 * torch.randn(N_PTS, 3)
    return p @ random_rotation().T


def make_dataset(n):
    y = torch.randint(0, N_CLASSES, (n,))
    pos = torch.stack([make_shape(int(c)) for c in y])
    return pos, y


src, dst = zip(*[(i, j) for i in range(N_PTS) for j in range(N_PTS) if i != j])
BASE_EDGES = torch.tensor([src, dst])


def collate(pos):
    b = pos.shape[0]
    offsets = (torch.arange(b) * N_PTS).view(b, 1, 1)
    edge_index = (BASE_EDGES.unsqueeze(0) + offsets).permute(1, 0, 2).reshape(2, -1)
    batch = torch.arange(b).repeat(N_PTS)
    return pos.reshape(-1, 3), edge_index, batch


class EGNNConv(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.edge_mlp = nn.Sequential(nn.Linear(2 * f + 1, f), nn.SiLU(), nn.Linear(f, f), nn.SiLU())
        self.node_mlp = nn.Sequential(nn.Linear(2 * f, f), nn.SiLU(), nn.Linear(f, f))
        self.coord_mlp = nn.Sequential(nn.Linear(f, f), nn.SiLU(), nn.Linear(f, 1))

    def forward(self, h, x, edge_index):
        i, j = edge_index
        rel = x[i] - x[j]
        d2 = (rel ** 2).sum(-1, keepdim=True)
        m = self.edge_mlp(torch.cat([h[i], h[j], d2], -1))
        agg = torch.zeros_like(h).index_add_(0, i, m)
        dx = torch.zeros_like(x).index_add_(0, i, rel * self.coord_mlp(m)) / (N_PTS - 1)
        return h + self.node_mlp(torch.cat([h, agg], -1)), x + dx


class EGNNClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.h0 = nn.Parameter(torch.randn(HID) * 0.1)
        self.convs = nn.ModuleList([EGNNConv(HID), EGNNConv(HID)])
        self.head = nn.Sequential(nn.Linear(HID, HID), nn.SiLU(), nn.Linear(HID, N_CLASSES))

    def forward(self, x, edge_index, batch, num_graphs):
        h = self.h0.expand(x.shape[0], HID)
        for conv in self.convs:
            h, x = conv(h, x, edge_index)
        pooled = torch.zeros(num_graphs, HID).index_add_(0, batch, h) / N_PTS
        return self.head(pooled)


pos_tr, y_tr = make_dataset(800)
pos_te, y_te = make_dataset(300)
model = EGNNClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)


def predict(pos):
    x, ei, batch = collate(pos)
    return model(x, ei, batch, pos.shape[0])


for epoch in range(8):
    perm = torch.randperm(len(y_tr))
    tot = 0.0
    for k in range(0, len(perm), 32):
        idx = perm[k:k + 32]
        loss = F.cross_entropy(predict(pos_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    with torch.no_grad():
        acc = sum((predict(pos_te[k:k + 100]).argmax(1) == y_te[k:k + 100]).sum().item()
                  for k in range(0, len(y_te), 100)) / len(y_te)
    print(f"epoch {epoch + 1}  train loss {tot / len(perm):.4f}  test acc {acc:.3f}")

print(f"final: train loss {tot / len(perm):.4f}  test accuracy {acc:.3f}")

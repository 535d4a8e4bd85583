"""Simplified graph convolution (SGC) on a generated stochastic-block-model graph:
hand-written dense message passing h <- D^-1/2 (A+I) D^-1/2 h, then a small MLP
head for node classification (5 classes, 150 labelled nodes), Adam, full batch.

Seeded bug (underfitting): the propagation depth is set to hops=40 "so every
node sees the whole graph". On this graph the normalised propagation matrix's
second eigenvalue is ~0.5, so after 40 hops the node features over-smooth onto
the dominant eigenvector and carry essentially no community information; the
head cannot fit even the training nodes although its updates are healthy.

Measured (seed 11, 250 Adam steps): train loss plateaus at 1.56 (chance
ln 5 = 1.61), train acc 0.30, test acc 0.17.
Fixed copy (hops=2): train loss 0.005, train acc 1.00, test acc 0.91.
"""
# traindebug-expect: underfitting
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class Config:
    n_nodes: int = 300
    n_classes: int = 5
    n_feat: int = 24
    p_in: float = 0.08
    p_out: float = 0.015
    hops: int = 40          # propagate far enough that every node sees the whole graph
    hidden: int = 64
    lr: float = 1e-2
    weight_decay: float = 5e-4
    steps: int = 250
    seed: int = 11


def sbm(cfg, gen):
    y = torch.arange(cfg.n_nodes) % cfg.n_classes
    y = y[torch.randperm(cfg.n_nodes, generator=gen)]
    same = y[:, None] == y[None, :]
    p = torch.where(same, torch.tensor(cfg.p_in), torch.tensor(cfg.p_out))
    up = torch.triu(torch.rand(cfg.n_nodes, cfg.n_nodes, generator=gen) < p, 1)
    adj = (up | up.T).float()
    mu = torch.randn(cfg.n_classes, cfg.n_feat, generator=gen) * 0.5
    x = mu[y] + torch.randn(cfg.n_nodes, cfg.n_feat, generator=gen)
    return adj, x, y


def sym_norm(adj):
    a = adj + torch.eye(adj.shape[0])
    dinv = a.sum(1).pow(-0.5)
    return dinv[:, None] * a * dinv[None, :]


def propagate(s, x, hops):
    """Parameter-free message passing: h <- S h, repeated `hops` times (SGC)."""
    h = x
    for _ in range(hops):
        h = s @ h
    return h


class NodeHead(nn.Module):
    def __init__(self, d_in, hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, n_out)
        self.drop = nn.Dropout(0.3)

    def forward(self, h):
        return self.fc2(self.drop(F.relu(self.fc1(h))))


def run(cfg):
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    adj, x, y = sbm(cfg, gen)
    s = sym_norm(adj)
    feats = propagate(s, x, cfg.hops)
    feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-6)

    idx = torch.randperm(cfg.n_nodes, generator=gen)
    tr, te = idx[:150], idx[150:]
    model = NodeHead(cfg.n_feat, cfg.hidden, cfg.n_classes)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    for step in range(cfg.steps):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(feats[tr]), y[tr])
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == cfg.steps - 1:
            model.eval()
            with torch.no_grad():
                pred = model(feats).argmax(1)
            print(f"step {step:3d} loss {loss.item():.4f} "
                  f"train_acc {(pred[tr] == y[tr]).float().mean():.3f} "
                  f"test_acc {(pred[te] == y[te]).float().mean():.3f}")


if __name__ == "__main__":
    run(Config())

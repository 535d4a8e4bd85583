"""
Seeded bug: in propagate() the symmetric degree normalisation is computed under
torch.no_grad() (it needs no gradient), but the message projection
`lin(x)[src] * norm` was written inside the same no_grad block. The aggregated
neighbour messages therefore carry no graph, so the message Linear layers of
both GraphConv blocks never receive a gradient (their .grad stays None) and the
neighbour signal only enters through a frozen random projection.
Measured (seed 0, 200 full-batch epochs): test accuracy 0.780 (buggy) vs 0.950
with the message computed outside the no_grad block; final train loss 0.175 vs
0.0045.
"""
# traindebug-expect: no_gradient_flow
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def make_sbm(n_nodes, n_classes, p_in, p_out, feat_dim, noise, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_nodes)
    same = y[:, None] == y[None, :]
    prob = np.where(same, p_in, p_out)
    upper = np.triu(rng.random((n_nodes, n_nodes)) < prob, 1)
    src, dst = np.nonzero(upper)
    edge_index = np.concatenate([np.stack([src, dst]), np.stack([dst, src])], 1)
    centers = rng.normal(size=(n_classes, feat_dim))
    x = centers[y] + noise * rng.normal(size=(n_nodes, feat_dim))
    return (torch.tensor(x, dtype=torch.float32), torch.tensor(y),
            torch.tensor(edge_index, dtype=torch.long))


def propagate(x, edge_index, lin, num_nodes):
    src, dst = edge_index
    with torch.no_grad():
        ones = torch.ones(dst.numel())
        deg = torch.zeros(num_nodes).index_add_(0, dst, ones).clamp_(min=1.0)
        norm = (deg[src] * deg[dst]).rsqrt()
        msg = lin(x)[src] * norm.unsqueeze(-1)
    out = torch.zeros(num_nodes, msg.size(-1), dtype=msg.dtype)
    out.index_add_(0, dst, msg)
    return out


class GraphConv(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.self_lin = nn.Linear(d_in, d_out)
        self.msg_lin = nn.Linear(d_in, d_out, bias=False)

    def forward(self, x, edge_index):
        return self.self_lin(x) + propagate(x, edge_index, self.msg_lin, x.size(0))


class GNN(nn.Module):
    def __init__(self, d_in, d_hid, n_cls, dropout):
        super().__init__()
        self.conv1 = GraphConv(d_in, d_hid)
        self.conv2 = GraphConv(d_hid, n_cls)
        self.dropout = dropout

    def forward(self, x, edge_index):
        h = F.relu(self.conv1(x, edge_index))
        h = F.dropout(h, self.dropout, self.training)
        return self.conv2(h, edge_index)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", type=int, default=800)
    p.add_argument("--classes", type=int, default=4)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    x, y, ei = make_sbm(args.nodes, args.classes, 0.04, 0.004, 16, 2.5, args.seed)
    perm = torch.randperm(args.nodes)
    train_idx, test_idx = perm[: args.nodes // 2], perm[args.nodes // 2:]
    print(f"nodes {args.nodes}  edges {ei.size(1)}  mean degree {ei.size(1) / args.nodes:.1f}")

    model = GNN(x.size(1), args.hidden, args.classes, dropout=0.3)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.wd)
    for epoch in range(1, args.epochs + 1):
        model.train()
        out = model(x, ei)
        loss = F.cross_entropy(out[train_idx], y[train_idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch % 40 == 0:
            model.eval()
            with torch.no_grad():
                pred = model(x, ei).argmax(-1)
            tr = (pred[train_idx] == y[train_idx]).float().mean().item()
            te = (pred[test_idx] == y[test_idx]).float().mean().item()
            print(f"epoch {epoch:3d}  loss {loss.item():.4f}  train acc {tr:.3f}  test acc {te:.3f}")


if __name__ == "__main__":
    main()

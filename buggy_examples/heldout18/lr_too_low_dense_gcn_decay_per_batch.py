"""Dense-adjacency graph convolutional network for graph classification.

Seeded bug (lr_too_low): the exponential learning-rate decay is configured as a
per-epoch factor (``--lr-decay 0.9``) but ``scheduler.step()`` sits inside the
mini-batch loop, so the rate is multiplied by 0.9 on every optimizer step
(24 steps per epoch, 240 in total).  After 30 steps the learning rate is ~4% of
its initial value, after one epoch 2.4e-4, at the end 3e-14: training stalls.

Measured (seed 7): buggy -> train loss 0.684 -> 0.673 (flat from epoch 2 on),
val loss 0.691, val accuracy 0.438 (majority class); fixed (scheduler stepped once
per epoch) -> train loss 0.681 -> 0.172, val loss 0.131, val accuracy 0.958.
"""
# traindebug-expect: lr_too_low
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def parse_args():
    p = argparse.ArgumentParser(description="dense GCN on synthetic graphs")
    p.add_argument("--num-graphs", type=int, default=1200)
    p.add_argument("--num-nodes", type=int, default=20)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=40)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--lr-decay", type=float, default=0.9, help="multiplicative decay per epoch")
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def random_graph(rng, n, kind):
    """kind 0: Erdos-Renyi, kind 1: Chung-Lu graph (hubs) with matched expected degree."""
    if kind == 0:
        probs = np.full((n, n), 0.16)
    else:
        w = rng.pareto(2.0, size=n) + 0.3
        w = w / w.mean()
        probs = np.clip(0.16 * np.outer(w, w), 0.0, 1.0)
    upper = np.triu(rng.random((n, n)) < probs, k=1)
    adj = (upper | upper.T).astype(np.float32)
    perm = rng.permutation(n)
    return adj[perm][:, perm]


def build_dataset(args, rng):
    labels = rng.integers(0, 2, size=args.num_graphs)
    adjs = np.stack([random_graph(rng, args.num_nodes, k) for k in labels])
    deg = adjs.sum(-1, keepdims=True)
    feats = np.concatenate([np.ones_like(deg), deg / deg.mean()], axis=-1)
    return (torch.from_numpy(adjs), torch.from_numpy(feats.astype(np.float32)),
            torch.from_numpy(labels))


def normalize_adjacency(adj):
    a_hat = adj + torch.eye(adj.size(-1))
    d_inv_sqrt = a_hat.sum(-1).pow(-0.5)
    return d_inv_sqrt.unsqueeze(-1) * a_hat * d_inv_sqrt.unsqueeze(-2)


class DenseGCN(nn.Module):
    def __init__(self, in_dim, hidden, n_classes, n_layers=3):
        super().__init__()
        dims = [in_dim] + [hidden] * n_layers
        self.convs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.readout = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, adj, x):
        a_norm = normalize_adjacency(adj)
        h = x
        for conv in self.convs:
            h = F.relu(a_norm @ conv(h))
        g = torch.cat([h.mean(1), h.max(1).values], dim=-1)
        return self.readout(g)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    adj, x, y = build_dataset(args, rng)
    n_train = int(0.8 * len(y))
    tr = slice(0, n_train)
    va = slice(n_train, None)

    model = DenseGCN(x.size(-1), args.hidden, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=args.lr_decay)

    g = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n_train, generator=g)
        total, count = 0.0, 0
        for i in range(0, n_train, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(adj[tr][idx], x[tr][idx])
            loss = F.cross_entropy(logits, y[tr][idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(idx)
            count += len(idx)
        model.eval()
        with torch.no_grad():
            logits = model(adj[va], x[va])
            val_loss = F.cross_entropy(logits, y[va]).item()
            val_acc = (logits.argmax(-1) == y[va]).float().mean().item()
        print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.2e} "
              f"train_loss {total / count:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")


if __name__ == "__main__":
    main()

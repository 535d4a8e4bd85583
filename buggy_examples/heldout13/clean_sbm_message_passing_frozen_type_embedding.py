"""Hand-written two-layer message-passing network (symmetric-normalised
adjacency with self loops) for node classification on a generated
stochastic-block-model graph with noisy node features.

Healthy control.  Patterns that might fool a naive detector:
  * a node-type nn.Embedding is loaded with from_pretrained(freeze=True): fixed
    random codes shared with an upstream pipeline, deliberately never trained
    (requires_grad=False, and only trainable params are given to Adam);
  * full-batch training on only 160 labelled nodes drives the training loss to
    ~1e-3 while validation accuracy stays flat/high (best checkpoint kept).

Measured (200 full-batch Adam steps):
  train loss 0.039 at step 25 -> ~0.001-0.004, val acc 0.946 -> 0.962,
  test acc 0.980 (4 balanced classes).
"""
# traindebug-expect: clean
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_graph(n_nodes, n_blocks, p_in, p_out, feat_dim, n_types, seed):
    """Stochastic block model with weak, noisy node features and a categorical node type."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_blocks, size=n_nodes)
    same = labels[:, None] == labels[None, :]
    probs = np.where(same, p_in, p_out)
    upper = np.triu(rng.random((n_nodes, n_nodes)) < probs, k=1)
    adj = (upper | upper.T).astype(np.float32)
    centers = rng.normal(size=(n_blocks, feat_dim))
    feats = 0.35 * centers[labels] + rng.normal(size=(n_nodes, feat_dim))
    # node type is correlated with the block but not determined by it
    types = np.where(rng.random(n_nodes) < 0.5, labels % n_types, rng.integers(n_types, size=n_nodes))
    return (torch.tensor(adj), torch.tensor(feats, dtype=torch.float32),
            torch.tensor(types), torch.tensor(labels))


def normalize_adjacency(adj):
    a_hat = adj + torch.eye(adj.shape[0])
    d_inv_sqrt = a_hat.sum(1).pow(-0.5)
    return d_inv_sqrt[:, None] * a_hat * d_inv_sqrt[None, :]


class MessagePassingLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.self_lin = nn.Linear(d_in, d_out)
        self.msg_lin = nn.Linear(d_in, d_out, bias=False)

    def forward(self, h, a_norm):
        messages = a_norm @ self.msg_lin(h)
        return self.self_lin(h) + messages


class GraphNet(nn.Module):
    def __init__(self, feat_dim, type_table, hidden, n_classes, dropout):
        super().__init__()
        # fixed random type codes shared with the upstream feature pipeline; kept frozen on purpose
        self.type_emb = nn.Embedding.from_pretrained(type_table, freeze=True)
        d_in = feat_dim + type_table.shape[1]
        self.layers = nn.ModuleList([MessagePassingLayer(d_in, hidden), MessagePassingLayer(hidden, hidden)])
        self.out = nn.Linear(hidden, n_classes)
        self.dropout = dropout

    def forward(self, feats, types, a_norm):
        h = torch.cat([feats, self.type_emb(types)], dim=-1)
        for layer in self.layers:
            h = F.dropout(F.relu(layer(h, a_norm)), self.dropout, self.training)
        return self.out(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=800)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    adj, feats, types, labels = make_graph(args.nodes, args.blocks, 0.04, 0.006, 16, 6, args.seed)
    a_norm = normalize_adjacency(adj)
    gen = torch.Generator().manual_seed(1234)
    type_table = torch.randn(6, 8, generator=gen) / 8 ** 0.5

    idx = torch.randperm(args.nodes)
    train_idx, val_idx, test_idx = idx[:160], idx[160:400], idx[400:]

    model = GraphNet(feats.shape[1], type_table, args.hidden, args.blocks, dropout=0.3)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(trainable, lr=args.lr, weight_decay=5e-4)
    print(f"edges {int(adj.sum().item() // 2)}  trainable params {sum(p.numel() for p in trainable)}")

    best_val, best_state = 0.0, None
    for step in range(1, args.steps + 1):
        model.train()
        logits = model(feats, types, a_norm)
        loss = F.cross_entropy(logits[train_idx], labels[train_idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 25 == 0:
            model.eval()
            with torch.no_grad():
                pred = model(feats, types, a_norm).argmax(1)
            val_acc = (pred[val_idx] == labels[val_idx]).float().mean().item()
            if val_acc > best_val:
                best_val, best_state = val_acc, {k: v.clone() for k, v in model.state_dict().items()}
            print(f"step {step:3d}  loss {loss.item():.4f}  val acc {val_acc:.3f}")

    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        pred = model(feats, types, a_norm).argmax(1)
    print(f"best val {best_val:.3f}  test acc {(pred[test_idx] == labels[test_idx]).float().mean().item():.3f}")


if __name__ == "__main__":
    main()

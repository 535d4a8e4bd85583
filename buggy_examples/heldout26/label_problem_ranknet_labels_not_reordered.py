"""Learning-to-rank with a pairwise RankNet loss on generated query/document features.

Seeded bug (label_problem): `load_grouped` sorts the exported rows by query id and
re-orders the feature matrix and the qid column, but takes the relevance column
from the unsorted export (`y = export["label"]`), so every document's grade now
belongs to a random other row. The pairwise labels carry no signal about the
features; the training pair loss only creeps down by memorising noise.
Measured: pair loss 0.690 -> 0.589, test NDCG@10 ~0.31 (flat, chance level);
with `export["label"][order]` pair loss 0.636 -> 0.037 and NDCG@10 0.84 -> 0.97.
"""
# traindebug-expect: label_problem
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

p = argparse.ArgumentParser()
p.add_argument("--n-queries", type=int, default=120)
p.add_argument("--docs-per-query", type=int, default=24)
p.add_argument("--n-features", type=int, default=16)
p.add_argument("--epochs", type=int, default=12)
p.add_argument("--pairs-per-step", type=int, default=256)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--seed", type=int, default=11)
args = p.parse_args()

rng = np.random.default_rng(args.seed)
torch.manual_seed(args.seed)

# ---- synthetic click-log style export: rows arrive in arbitrary order -----------------
true_w = rng.normal(size=args.n_features)
n = args.n_queries * args.docs_per_query
qid = np.repeat(np.arange(args.n_queries), args.docs_per_query)
q_ctx = rng.normal(size=(args.n_queries, args.n_features))[qid]
feats = rng.normal(size=(n, args.n_features)) + 0.5 * q_ctx
utility = feats @ true_w + 0.8 * np.tanh(feats[:, 0] * feats[:, 1]) + 0.3 * rng.normal(size=n)
rel = np.zeros(n, dtype=np.int64)
for q in range(args.n_queries):
    m = qid == q
    rel[m] = np.digitize(utility[m], np.quantile(utility[m], [0.5, 0.75, 0.9, 0.97]))
rows = rng.permutation(n)
export = {"qid": qid[rows], "features": feats[rows].astype(np.float32), "label": rel[rows]}


def load_grouped(export):
    """Group the exported rows by query id (needed for pair sampling and NDCG)."""
    order = np.argsort(export["qid"], kind="stable")
    q = export["qid"][order]
    X = export["features"][order]
    y = export["label"]
    mu, sd = X.mean(0), X.std(0) + 1e-6
    X = (X - mu) / sd
    bounds = np.flatnonzero(np.diff(q)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(q)]])
    return [(torch.from_numpy(X[s:e]), torch.from_numpy(y[s:e])) for s, e in zip(starts, ends)]


groups = load_grouped(export)
split = int(0.8 * len(groups))
train_groups, test_groups = groups[:split], groups[split:]


def make_pairs(groups):
    xi, xj = [], []
    for X, y in groups:
        diff = y[:, None] - y[None, :]
        a, b = torch.nonzero(diff > 0, as_tuple=True)
        xi.append(X[a]); xj.append(X[b])
    return torch.cat(xi), torch.cat(xj)


Pi, Pj = make_pairs(train_groups)
print(f"{len(train_groups)} train queries, {len(Pi)} preference pairs")


class Scorer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.body(x).squeeze(-1)


def ndcg_at_k(scores, rel, k=10):
    order = torch.argsort(scores, descending=True)[:k]
    gains = (2.0 ** rel[order].float() - 1) / torch.log2(torch.arange(2, len(order) + 2).float())
    ideal = torch.sort(rel, descending=True).values[:k]
    igains = (2.0 ** ideal.float() - 1) / torch.log2(torch.arange(2, len(ideal) + 2).float())
    return (gains.sum() / igains.sum().clamp_min(1e-9)).item()


model = Scorer(args.n_features)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
steps_per_epoch = 25
for epoch in range(args.epochs):
    model.train()
    tot = 0.0
    for _ in range(steps_per_epoch):
        idx = torch.randint(0, len(Pi), (args.pairs_per_step,))
        s_diff = model(Pi[idx]) - model(Pj[idx])
        # RankNet: P(i > j) = sigmoid(s_i - s_j); every sampled pair has i preferred
        loss = F.binary_cross_entropy_with_logits(s_diff, torch.ones_like(s_diff))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
    model.eval()
    with torch.no_grad():
        ndcg = np.mean([ndcg_at_k(model(X), y) for X, y in test_groups])
    if epoch % 3 == 0 or epoch == args.epochs - 1:
        print(f"epoch {epoch:2d}  pair loss {tot / steps_per_epoch:.4f}  test NDCG@10 {ndcg:.3f}")

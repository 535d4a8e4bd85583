"""ListNet learning-to-rank on generated queries (graded relevance 0-4).

Data: 360 synthetic queries with 24 candidate documents each; every document has 16
query-document features and a graded relevance label computed from a nonlinear
function of the features plus noise.  300 queries train, 60 test.
Model: nn.Sequential scoring MLP 16-64-64-1 (ReLU), applied to every document.
Loss: ListNet top-one cross entropy between softmax(relevance) and softmax(scores) per
query (summed over the queries of a batch).  SGD + momentum 0.9, lr 0.01, batch of 16
queries, 14 epochs (266 steps), gradient-norm clipping at 5, argparse config, seed 0.
Metric: NDCG@10.

Seeded bug: the clipping call passes `args.lr` (0.01) as `max_norm` instead of
`args.clip_norm` (5.0) - an autocomplete slip between two neighbouring arguments.  The
raw gradient norm is around 4-6, so every single step is rescaled to norm 0.01 (a ~500x
shrink): the clipping, meant as a rare safety net, dominates every update and the
ranker barely moves away from its initialisation.  Correct: `max_norm=args.clip_norm`.

Measured (seed 0, CPU, <1 s): buggy final train ListNet loss 3.10 per query, test
NDCG@10 0.620; fixed copy (max_norm=args.clip_norm): train loss 2.36, test NDCG@10 0.927
(random ordering NDCG@10 0.28).
"""
# traindebug-expect: over_regularization
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser(description="ListNet ranker on synthetic queries")
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--momentum", type=float, default=0.9)
parser.add_argument("--clip-norm", type=float, default=5.0)
parser.add_argument("--epochs", type=int, default=14)
parser.add_argument("--queries-per-batch", type=int, default=16)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

N_QUERIES, N_DOCS, N_FEAT = 360, 24, 16


def generate_queries():
    X = rng.normal(size=(N_QUERIES, N_DOCS, N_FEAT))
    # per-query intent shifts which features matter a little
    intent = rng.normal(scale=0.5, size=(N_QUERIES, 1, N_FEAT))
    w = rng.normal(size=N_FEAT)
    lin = ((X + intent) * w).sum(-1) / math.sqrt(N_FEAT)
    inter = X[..., 0] * X[..., 1] - np.abs(X[..., 2]) + np.tanh(2 * X[..., 3])
    score = lin + 0.8 * inter + rng.normal(scale=0.3, size=lin.shape)
    # graded labels 0..4 by within-query quantiles
    ranks = score.argsort(-1).argsort(-1) / (N_DOCS - 1)
    rel = np.digitize(ranks, [0.5, 0.75, 0.88, 0.96])
    return X.astype(np.float32), rel.astype(np.float32)


X, rel = generate_queries()
X, rel = torch.from_numpy(X), torch.from_numpy(rel)
Xtr, Rtr, Xte, Rte = X[:300], rel[:300], X[300:], rel[300:]


def ndcg_at_k(scores, labels, k=10):
    order = scores.argsort(dim=-1, descending=True)[:, :k]
    gains = (2 ** labels.gather(1, order) - 1)
    discounts = 1.0 / torch.log2(torch.arange(2, k + 2, dtype=torch.float32))
    dcg = (gains * discounts).sum(-1)
    ideal = (2 ** labels.sort(dim=-1, descending=True).values[:, :k] - 1)
    idcg = (ideal * discounts).sum(-1)
    return (dcg / idcg.clamp_min(1e-9)).mean().item()


def listnet_loss(scores, labels, reduction="sum"):
    target = F.softmax(labels, dim=-1)
    per_query = -(target * F.log_softmax(scores, dim=-1)).sum(-1)
    return per_query.sum() if reduction == "sum" else per_query.mean()


model = nn.Sequential(
    nn.Linear(N_FEAT, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)


def score(x):
    return model(x).squeeze(-1)


t0 = time.process_time()
step = 0
for epoch in range(args.epochs):
    perm = torch.randperm(len(Xtr))
    epoch_loss = 0.0
    for i in range(0, len(perm), args.queries_per_batch):
        idx = perm[i:i + args.queries_per_batch]
        loss = listnet_loss(score(Xtr[idx]), Rtr[idx])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.lr)
        optimizer.step()
        epoch_loss += loss.item()
        step += 1
    if epoch % 3 == 0 or epoch == args.epochs - 1:
        with torch.no_grad():
            test_ndcg = ndcg_at_k(score(Xte), Rte)
        print(f"epoch {epoch + 1:2d} step {step:3d} train loss {epoch_loss / len(Xtr):.4f} "
              f"test NDCG@10 {test_ndcg:.4f}")

with torch.no_grad():
    train_loss = listnet_loss(score(Xtr), Rtr, "mean").item()
    test_loss = listnet_loss(score(Xte), Rte, "mean").item()
    random_ndcg = ndcg_at_k(torch.rand_like(Rte), Rte)
    print(f"final train loss {train_loss:.4f} test loss {test_loss:.4f} "
          f"train NDCG@10 {ndcg_at_k(score(Xtr), Rtr):.4f} test NDCG@10 {ndcg_at_k(score(Xte), Rte):.4f} "
          f"(random {random_ndcg:.4f})")
print(f"cpu time {time.process_time() - t0:.1f}s")

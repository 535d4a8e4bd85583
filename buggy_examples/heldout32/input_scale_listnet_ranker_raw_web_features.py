"""
Learning-to-rank: a 3-layer MLP scorer trained with the ListNet listwise loss (top-one softmax
cross entropy) on synthetic web-search logs, 400 queries x 24 documents, 8 features per
(query, doc): BM25 body/title, document length in characters, inlink count, PageRank, 30-day
click count, mean dwell time in ms and document age in days; graded relevance 0..4. Adam lr
1e-3, 16 queries per batch, 12 epochs (240 steps), dataclass config, validation NDCG@10.

Seeded bug: the raw feature values go straight into the MLP. Their scales span ~1e-7 (PageRank)
to ~1e5 (clicks, dwell ms, doc length), all heavy-tailed, so the first layer is dominated by a
few huge columns, the loss starts in the hundreds and the scorer never learns a usable ranking.
Realistic: these feature logs are usually fed to tree models, which don't need scaling, and
the author reused them unchanged for the neural ranker.

Measured (seed 0, 1 thread): buggy final train ListNet loss 46.1 (epoch 1: 479), val ListNet
30.2, val NDCG@10 0.476 (train 0.479); fixed copy (log1p of the count-like columns, then
z-scoring with train statistics) val ListNet 2.522, val NDCG@10 0.976 (train 0.977).
"""
# traindebug-expect: input_scale
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    n_queries: int = 400
    docs_per_query: int = 24
    hidden: int = 64
    lr: float = 1e-3
    epochs: int = 12
    queries_per_batch: int = 16
    seed: int = 0


cfg = Config()
torch.set_num_threads(1)
torch.manual_seed(cfg.seed)
rng = np.random.default_rng(cfg.seed)

FEATURES = ["bm25_body", "bm25_title", "doc_len_chars", "inlinks", "pagerank",
            "clicks_30d", "dwell_ms_mean", "age_days"]


def make_query_logs(n_q, n_d):
    """Synthetic search logs: per (query, doc) web-search features and graded relevance 0..4."""
    bm25_body = rng.gamma(2.0, 4.0, (n_q, n_d))
    bm25_title = rng.gamma(1.5, 2.0, (n_q, n_d))
    doc_len = rng.lognormal(8.0, 1.0, (n_q, n_d))
    inlinks = rng.lognormal(4.0, 2.0, (n_q, n_d))
    pagerank = rng.lognormal(-13.0, 1.5, (n_q, n_d))
    clicks = rng.poisson(rng.lognormal(3.0, 1.8, (n_q, n_d)))
    dwell = rng.lognormal(10.0, 0.7, (n_q, n_d))
    age = rng.uniform(1, 4000, (n_q, n_d))
    latent = (0.25 * bm25_body + 0.6 * bm25_title + 0.5 * np.log1p(inlinks)
              + 0.8 * np.log1p(clicks) + 0.6 * (np.log(pagerank) + 13.0)
              - 0.4 * np.abs(np.log(doc_len) - 8.0) - 0.0004 * age
              + 0.5 * (np.log(dwell) - 10.0) + rng.normal(0, 0.6, (n_q, n_d)))
    latent = latent - latent.mean(1, keepdims=True)
    rel = np.clip(np.round(latent / 1.2 + 1.5), 0, 4)
    feats = np.stack([bm25_body, bm25_title, doc_len, inlinks, pagerank, clicks, dwell, age], -1)
    return feats.astype(np.float32), rel.astype(np.float32)


feats, rel = make_query_logs(cfg.n_queries, cfg.docs_per_query)
n_train = int(0.8 * cfg.n_queries)
X_tr, y_tr = torch.from_numpy(feats[:n_train]), torch.from_numpy(rel[:n_train])
X_va, y_va = torch.from_numpy(feats[n_train:]), torch.from_numpy(rel[n_train:])


def ndcg_at_k(scores, labels, k=10):
    order = scores.argsort(dim=1, descending=True)
    gains = (2 ** labels.gather(1, order) - 1)[:, :k]
    disc = 1.0 / torch.log2(torch.arange(2, k + 2, dtype=torch.float32))
    dcg = (gains * disc).sum(1)
    ideal = ((2 ** labels.sort(dim=1, descending=True).values - 1)[:, :k] * disc).sum(1)
    return (dcg / ideal.clamp_min(1e-9)).mean().item()


def listnet_loss(scores, labels):
    # cross entropy between top-one distributions of labels and scores, per query
    return -(F.softmax(labels, dim=1) * F.log_softmax(scores, dim=1)).sum(1).mean()


class Scorer(nn.Module):
    def __init__(self, n_feat, hidden):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(n_feat, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):                       # x: (queries, docs, features)
        return self.mlp(x).squeeze(-1)


model = Scorer(len(FEATURES), cfg.hidden)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)

step = 0
for epoch in range(1, cfg.epochs + 1):
    perm = torch.randperm(n_train)
    model.train()
    running = 0.0
    for i in range(0, n_train, cfg.queries_per_batch):
        q = perm[i:i + cfg.queries_per_batch]
        loss = listnet_loss(model(X_tr[q]), y_tr[q])
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
        step += 1
    model.eval()
    with torch.no_grad():
        val_scores = model(X_va)
        val_loss = listnet_loss(val_scores, y_va).item()
        val_ndcg = ndcg_at_k(val_scores, y_va)
    n_batches = (n_train + cfg.queries_per_batch - 1) // cfg.queries_per_batch
    print(f"epoch {epoch:2d} (step {step}): train listnet {running / n_batches:.4f}  "
          f"val listnet {val_loss:.4f}  val NDCG@10 {val_ndcg:.4f}")

with torch.no_grad():
    train_ndcg = ndcg_at_k(model(X_tr), y_tr)
print(f"final: train NDCG@10 {train_ndcg:.4f}  val NDCG@10 {val_ndcg:.4f}")

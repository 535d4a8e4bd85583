"""
DistMult knowledge-graph embedding on a generated graph: 400 entities, 8
relations, triples produced by a hidden bilinear-diagonal model (true tails of
(h, r) are the 3 highest-scoring entities). Model: entity / relation
nn.Embedding tables (dim 32), score <e_h, w_r, e_t>, binary logistic loss on
positives vs 16 uniformly corrupted tails each, with the usual L2 penalty on
the embeddings that appear in the batch (lambda = 1e-3). Adam lr 1e-2,
batch 256, 240 steps. Metric: raw tail-prediction MRR / Hits@10.

Seeded bug: the data term is averaged (.mean()) over the batch, but the L2
term is summed over every looked-up embedding, positives and all 16 negatives
of all 256 rows (~13k vectors), so the effective penalty is thousands of times
stronger than the intended per-example lambda. The regulariser dominates the
gradient, embeddings shrink to near zero and all scores collapse.
A classic mean-vs-sum mismatch.
Measured (seed 0, 240 steps): buggy data loss stuck at 1.386 (= 2 ln 2, all
scores ~0), train MRR 0.015, test MRR 0.015 / Hits@10 0.023 vs fixed copy
(per-example mean of the squared norms) data loss 0.526, train MRR 0.278 /
Hits@10 0.670, test MRR 0.107 / Hits@10 0.256. CPU time ~8.4 s.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_ENT, N_REL, LATENT = 400, 8, 16
DIM, LR, L2 = 32, 1e-2, 1e-3
BATCH, STEPS, N_NEG = 256, 240, 16


def generate_graph(tails_per_query=3):
    z = rng.normal(size=(N_ENT, LATENT))
    rel = rng.normal(size=(N_REL, LATENT))
    triples = []
    for r in range(N_REL):
        for h in rng.choice(N_ENT, size=N_ENT // 2, replace=False):
            s = (z[h] * rel[r]) @ z.T
            s[h] = -np.inf
            for t in np.argsort(-s)[:tails_per_query]:
                triples.append((h, r, t))
    triples = np.array(triples)
    return triples[rng.permutation(len(triples))]


triples = torch.from_numpy(generate_graph()).long()
n_test = len(triples) // 10
test_triples, train_triples = triples[:n_test], triples[n_test:]
print(f"triples: train {len(train_triples)}  test {len(test_triples)}")


class DistMult(nn.Module):
    def __init__(self, n_entities, n_relations, dim):
        super().__init__()
        self.ent = nn.Embedding(n_entities, dim)
        self.rel = nn.Embedding(n_relations, dim)
        nn.init.normal_(self.ent.weight, std=0.3)
        nn.init.normal_(self.rel.weight, std=0.3)

    def forward(self, h, r, t):
        eh, wr, et = self.ent(h), self.rel(r), self.ent(t)
        return (eh * wr * et).sum(-1), (eh, wr, et)

    def score_all_tails(self, h, r):
        return (self.ent(h) * self.rel(r)) @ self.ent.weight.T


model = DistMult(N_ENT, N_REL, DIM)
opt = torch.optim.Adam(model.parameters(), lr=LR)


@torch.no_grad()
def rank_metrics(trip):
    scores = model.score_all_tails(trip[:, 0], trip[:, 1])
    true = scores.gather(1, trip[:, 2:3])
    ranks = (scores > true).sum(1).float() + 1
    return (1 / ranks).mean().item(), (ranks <= 10).float().mean().item()


for step in range(1, STEPS + 1):
    idx = torch.randint(0, len(train_triples), (BATCH,))
    h, r, t = train_triples[idx].unbind(1)
    t_neg = torch.randint(0, N_ENT, (BATCH, N_NEG))
    pos, emb_pos = model(h, r, t)
    neg, emb_neg = model(h.unsqueeze(1).expand(-1, N_NEG), r.unsqueeze(1).expand(-1, N_NEG), t_neg)
    data_loss = (F.softplus(-pos).mean() + F.softplus(neg).mean(1).mean())
    reg = sum(e.pow(2).sum() for e in emb_pos + emb_neg)
    loss = data_loss + L2 * reg
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 40 == 0 or step == 1:
        mrr_tr, h10_tr = rank_metrics(train_triples[:2000])
        print(f"step {step:3d}  data loss {data_loss.item():.4f}  reg {reg.item():9.2f}  "
              f"train MRR {mrr_tr:.3f} H@10 {h10_tr:.3f}")

mrr_tr, h10_tr = rank_metrics(train_triples)
mrr_te, h10_te = rank_metrics(test_triples)
print(f"final train MRR {mrr_tr:.3f} Hits@10 {h10_tr:.3f} | test MRR {mrr_te:.3f} Hits@10 {h10_te:.3f}")

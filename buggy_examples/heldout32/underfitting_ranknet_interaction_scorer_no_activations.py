"""
Pairwise learning-to-rank (RankNet loss over all ordered document pairs per query) with an MLP
scorer on synthetic query/document vectors: 600 queries x 12 documents, relevance =
<query, doc> + noise, scorer input = concat(query, doc) (16 dims), hidden sizes 128-128-64,
Adam lr 1e-3 with StepLR, 32 queries per batch, 400 steps; pairwise accuracy on held-out queries.

Seeded bug: build_scorer() creates the hidden layers with a list comprehension of nn.Linear
only and never inserts the activations, so the whole scorer is one affine map of
concat(q, d). A linear score cannot represent the multiplicative query-document interaction
(within a query it ranks every query's documents by the same direction), so the model cannot
fit even the training pairs although gradients and updates are healthy.

Measured (seed 0, 1 thread): buggy train RankNet loss 0.692 (chance ln 2), val pairwise accuracy
0.490; fixed copy (nn.Linear followed by nn.ReLU in each hidden layer) train loss 0.083, val
pairwise accuracy 0.941.
"""
# traindebug-expect: underfitting
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

DIM, N_Q, N_DOCS = 8, 600, 12
HIDDEN = [128, 128, 64]
STEPS, Q_PER_BATCH, LR = 400, 32, 1e-3

# each query and document has a latent topic vector; relevance is their match plus noise
queries = torch.randn(N_Q, DIM)
docs = torch.randn(N_Q, N_DOCS, DIM)
relevance = (queries[:, None, :] * docs).sum(-1) + 0.3 * torch.randn(N_Q, N_DOCS)
pairs_in = torch.cat([queries[:, None, :].expand(-1, N_DOCS, -1), docs], dim=-1)   # (Q, D, 2*DIM)

n_tr = int(0.8 * N_Q)
X_tr, r_tr = pairs_in[:n_tr], relevance[:n_tr]
X_va, r_va = pairs_in[n_tr:], relevance[n_tr:]


def build_scorer(in_dim, hidden):
    dims = [in_dim] + hidden
    layers = [nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])]
    return nn.Sequential(*layers, nn.Linear(dims[-1], 1))


def ranknet_loss(scores, rel):
    # all ordered pairs (i, j) within a query where doc i is more relevant than doc j
    s_diff = scores[:, :, None] - scores[:, None, :]
    mask = (rel[:, :, None] - rel[:, None, :]) > 0
    return F.binary_cross_entropy_with_logits(s_diff[mask], torch.ones_like(s_diff[mask]))


def pair_accuracy(scores, rel):
    mask = (rel[:, :, None] - rel[:, None, :]) > 0
    return ((scores[:, :, None] - scores[:, None, :])[mask] > 0).float().mean().item()


scorer = build_scorer(2 * DIM, HIDDEN)
opt = torch.optim.Adam(scorer.parameters(), lr=LR)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=150, gamma=0.5)

for step in range(1, STEPS + 1):
    q = torch.randint(0, n_tr, (Q_PER_BATCH,))
    loss = ranknet_loss(scorer(X_tr[q]).squeeze(-1), r_tr[q])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0:
        with torch.no_grad():
            tr_scores = scorer(X_tr).squeeze(-1)
            va_scores = scorer(X_va).squeeze(-1)
            print(f"step {step:3d}  loss {loss.item():.4f}  "
                  f"train pair acc {pair_accuracy(tr_scores, r_tr):.3f}  "
                  f"val loss {ranknet_loss(va_scores, r_va).item():.4f}  "
                  f"val pair acc {pair_accuracy(va_scores, r_va):.3f}")

print(f"final: train RankNet loss {ranknet_loss(tr_scores, r_tr).item():.4f}, "
      f"val pairwise accuracy {pair_accuracy(va_scores, r_va):.3f}")

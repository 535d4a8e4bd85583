"""
LambdaRank on synthetic query/document vectors: 600 queries x 12 documents, relevance =
<query, doc> + noise; MLP scorer on concat(query, doc) (128-128-64, ReLU), AdamW lr 2e-3
(weight decay 1e-4) with StepLR halving every 150 steps, 32 queries per batch, 400 steps.
The pairwise RankNet loss is weighted by |delta NDCG| of swapping each pair.

Healthy control: a correct, well-tuned LambdaRank implementation.

Possible false alarm: the pair weights are computed under torch.no_grad() from a double
argsort of the current scores (a non-differentiable ranking) and used as constants; the
training objective is a weighted sum whose value is much smaller than the unweighted RankNet
loss printed for validation (~0.01 vs ~0.16) and does not correspond to it. A detector might
read the argsort/no_grad as broken gradient flow or the mismatched loss scales as a
loss/metric mismatch.

Measured (seed 0, 1 thread): final lambda loss 0.0085, train pairwise accuracy 0.943, val RankNet
loss 0.161, val pairwise accuracy 0.937.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

DIM, N_Q, N_DOCS = 8, 600, 12
HIDDEN = [128, 128, 64]
STEPS, Q_PER_BATCH, LR = 400, 32, 2e-3

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
    layers = [m for a, b in zip(dims[:-1], dims[1:]) for m in (nn.Linear(a, b), nn.ReLU())]
    return nn.Sequential(*layers, nn.Linear(dims[-1], 1))


def ndcg_gains(rel):
    return 2.0 ** rel.clamp(-3, 3) - 2.0 ** -3


def lambdarank_loss(scores, rel):
    """RankNet pair loss weighted by |delta NDCG| of swapping the pair (LambdaRank).
    The weights come from the current ranking (argsort) and are treated as constants."""
    with torch.no_grad():
        ranks = scores.argsort(dim=1, descending=True).argsort(dim=1).float()
        disc = 1.0 / torch.log2(ranks + 2.0)
        gains = ndcg_gains(rel)
        ideal = (gains.sort(dim=1, descending=True).values
                 / torch.log2(torch.arange(rel.shape[1]) + 2.0)).sum(1, keepdim=True)
        delta = ((gains[:, :, None] - gains[:, None, :])
                 * (disc[:, :, None] - disc[:, None, :])).abs() / ideal[:, :, None]
    s_diff = scores[:, :, None] - scores[:, None, :]
    mask = (rel[:, :, None] - rel[:, None, :]) > 0
    pair_loss = F.binary_cross_entropy_with_logits(s_diff[mask], torch.ones_like(s_diff[mask]),
                                                   reduction="none")
    return (delta[mask] * pair_loss).sum() / scores.shape[0]


def ranknet_loss(scores, rel):
    # all ordered pairs (i, j) within a query where doc i is more relevant than doc j
    s_diff = scores[:, :, None] - scores[:, None, :]
    mask = (rel[:, :, None] - rel[:, None, :]) > 0
    return F.binary_cross_entropy_with_logits(s_diff[mask], torch.ones_like(s_diff[mask]))


def pair_accuracy(scores, rel):
    mask = (rel[:, :, None] - rel[:, None, :]) > 0
    return ((scores[:, :, None] - scores[:, None, :])[mask] > 0).float().mean().item()


scorer = build_scorer(2 * DIM, HIDDEN)
opt = torch.optim.AdamW(scorer.parameters(), lr=LR, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=150, gamma=0.5)

for step in range(1, STEPS + 1):
    q = torch.randint(0, n_tr, (Q_PER_BATCH,))
    loss = lambdarank_loss(scorer(X_tr[q]).squeeze(-1), r_tr[q])
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0:
        with torch.no_grad():
            tr_scores = scorer(X_tr).squeeze(-1)
            va_scores = scorer(X_va).squeeze(-1)
            print(f"step {step:3d}  lambda loss {loss.item():.4f}  "
                  f"train pair acc {pair_accuracy(tr_scores, r_tr):.3f}  "
                  f"val loss {ranknet_loss(va_scores, r_va).item():.4f}  "
                  f"val pair acc {pair_accuracy(va_scores, r_va):.3f}")

print(f"final: train RankNet loss {ranknet_loss(tr_scores, r_tr).item():.4f}, "
      f"val pairwise accuracy {pair_accuracy(va_scores, r_va):.3f}")

"""
Seeded bug (loss_output_mismatch): pairwise learning-to-rank with a margin
(hinge) loss. Pairs are presented in random order with target y = +1 if the
first document is more relevant and -1 otherwise. The scorer returns shape
(B, 1) while the targets have shape (B,), so
    clamp(margin - y * (s_a - s_b), min=0)
silently broadcasts to a (B, B) matrix: every score difference is paired
with every pair's target. Because about half the targets are +1 and half -1,
the ordering signal almost cancels; the loss mainly drives every score
difference into the [-margin, margin] band and the ranking is barely learned.

Measured (this script vs. a copy that squeezes the scorer output to (B,)),
300 Adam steps, margin 0.1: train loss sits on a floor of ~0.0998 (= the
margin) vs 0.011; test pairwise accuracy 0.720 vs 0.921; test NDCG@10
0.644 vs 0.905.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_FEAT, DOCS_PER_Q = 24, 25
w_true = rng.normal(size=N_FEAT)
W2 = rng.normal(size=(N_FEAT, 6))


def make_queries(n_q):
    X = rng.normal(size=(n_q, DOCS_PER_Q, N_FEAT)).astype(np.float32)
    score = X @ w_true / np.sqrt(N_FEAT) + 0.5 * np.tanh(X @ W2).sum(-1) / np.sqrt(6)
    score += rng.normal(0, 0.3, score.shape)
    # graded relevance 0..3 by per-query quantile
    rel = np.zeros_like(score, dtype=np.int64)
    for q in range(n_q):
        rel[q] = np.digitize(score[q], np.quantile(score[q], [0.5, 0.8, 0.95]))
    return torch.as_tensor(X), torch.as_tensor(rel)


X_tr, rel_tr = make_queries(300)
X_te, rel_te = make_queries(100)


def sample_pairs(X, rel, n_pairs):
    q = rng.integers(0, X.shape[0], n_pairs * 3)
    a = rng.integers(0, DOCS_PER_Q, n_pairs * 3)
    b = rng.integers(0, DOCS_PER_Q, n_pairs * 3)
    keep = (rel[q, a] != rel[q, b]).numpy()
    q, a, b = q[keep][:n_pairs], a[keep][:n_pairs], b[keep][:n_pairs]
    y = torch.where(rel[q, a] > rel[q, b], 1.0, -1.0)
    return X[q, a], X[q, b], y


scorer = nn.Sequential(
    nn.Linear(N_FEAT, 64), nn.ReLU(),
    nn.Linear(64, 32), nn.ReLU(),
    nn.Linear(32, 1),
)
opt = torch.optim.Adam(scorer.parameters(), lr=1e-3)
MARGIN = 0.1


def pairwise_hinge(s_a, s_b, y, margin=MARGIN):
    return torch.clamp(margin - y * (s_a - s_b), min=0).mean()


@torch.no_grad()
def evaluate():
    s = scorer(X_te.reshape(-1, N_FEAT)).reshape(X_te.shape[0], DOCS_PER_Q)
    diff_s = s[:, :, None] - s[:, None, :]
    diff_r = rel_te[:, :, None] - rel_te[:, None, :]
    mask = diff_r > 0
    pair_acc = (diff_s[mask] > 0).float().mean().item()
    order = s.argsort(dim=1, descending=True)[:, :10]
    gains = (2.0 ** rel_te.gather(1, order) - 1)
    disc = 1.0 / torch.log2(torch.arange(2, 12, dtype=torch.float32))
    ideal = (2.0 ** rel_te.sort(dim=1, descending=True).values[:, :10] - 1)
    ndcg = ((gains * disc).sum(1) / (ideal * disc).sum(1)).mean().item()
    return pair_acc, ndcg


STEPS, BATCH = 300, 128
for step in range(1, STEPS + 1):
    xa, xb, y = sample_pairs(X_tr, rel_tr, BATCH)
    s_a, s_b = scorer(xa), scorer(xb)
    loss = pairwise_hinge(s_a, s_b, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 75 == 0:
        acc, ndcg = evaluate()
        print(f"step {step}  loss {loss.item():.4f}  test pair-acc {acc:.3f}  NDCG@10 {ndcg:.3f}")

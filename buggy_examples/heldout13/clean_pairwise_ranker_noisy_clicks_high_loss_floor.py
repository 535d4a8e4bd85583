"""Healthy control: pairwise learning-to-rank (MarginRankingLoss, margin 1) with
an MLP scorer, SGD Nesterov + StepLR, pairs resampled every step.

Legitimate pattern that may fool a naive detector: relevance labels are noisy
click-derived scores (noise std comparable to the signal), so the hinge loss
legitimately stays high (~0.5, half the margin) and pairwise accuracy against
the click labels plateaus around 0.75 -- which is the ceiling: the true scoring
function itself only reaches 0.759 on these labels.
Measured (300 steps): hinge 0.69 -> 0.49, val pairwise acc vs clicks 0.747
(oracle 0.759), vs the noise-free ordering 0.934.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(4)
rng = np.random.default_rng(4)

N_QUERIES, DOCS_PER_Q, N_FEAT = 120, 20, 10
W_TRUE = rng.normal(0, 1, N_FEAT)


def make_split(n_q):
    feats = rng.normal(0, 1, (n_q, DOCS_PER_Q, N_FEAT)).astype(np.float32)
    true_score = feats @ W_TRUE / np.sqrt(N_FEAT) + 0.5 * np.tanh(feats[..., 0] * feats[..., 1])
    # observed relevance comes from noisy click logs: large per-document noise
    observed = true_score + rng.normal(0, 1.0, true_score.shape)
    return torch.from_numpy(feats), torch.from_numpy(observed.astype(np.float32)), true_score


Xtr, Rtr, _ = make_split(N_QUERIES)
Xva, Rva, Tva = make_split(40)


def sample_pairs(rel, n_pairs):
    q = torch.randint(0, rel.shape[0], (n_pairs,))
    i = torch.randint(0, DOCS_PER_Q, (n_pairs,))
    j = torch.randint(0, DOCS_PER_Q, (n_pairs,))
    keep = rel[q, i] != rel[q, j]
    q, i, j = q[keep], i[keep], j[keep]
    target = torch.sign(rel[q, i] - rel[q, j])
    return q, i, j, target


scorer = nn.Sequential(nn.Linear(N_FEAT, 32), nn.ReLU(), nn.Linear(32, 1))
loss_fn = nn.MarginRankingLoss(margin=1.0)
opt = torch.optim.SGD(scorer.parameters(), lr=0.05, momentum=0.9, nesterov=True)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.3)


def pairwise_acc(X, rel):
    with torch.no_grad():
        s = scorer(X).squeeze(-1)
        ds = s.unsqueeze(2) - s.unsqueeze(1)
        dr = rel.unsqueeze(2) - rel.unsqueeze(1)
        mask = dr != 0
        return ((ds.sign() == dr.sign()) & mask).sum().item() / mask.sum().item()


for step in range(1, 301):
    q, i, j, target = sample_pairs(Rtr, 256)
    s_i = scorer(Xtr[q, i]).squeeze(-1)
    s_j = scorer(Xtr[q, j]).squeeze(-1)
    loss = loss_fn(s_i, s_j, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0:
        acc_noisy = pairwise_acc(Xva, Rva)
        acc_true = pairwise_acc(Xva, torch.from_numpy(Tva.astype(np.float32)))
        print(f"step {step} hinge {loss.item():.4f} val_pair_acc(clicks) {acc_noisy:.3f} "
              f"val_pair_acc(true) {acc_true:.3f}")

# reference: how well the *true* scoring function does against the noisy click labels
Tva_t = torch.from_numpy(Tva.astype(np.float32))
dr = Rva.unsqueeze(2) - Rva.unsqueeze(1)
dt = Tva_t.unsqueeze(2) - Tva_t.unsqueeze(1)
print(f"oracle val_pair_acc(clicks) {((dt.sign() == dr.sign()) & (dr != 0)).sum().item() / (dr != 0).sum().item():.3f}")

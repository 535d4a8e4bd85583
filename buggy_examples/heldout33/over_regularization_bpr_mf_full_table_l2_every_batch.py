"""BPR matrix factorisation for implicit feedback (clicks), trained with sampled negatives.

Model: user and item embedding tables (dim 32) plus item biases; score(u, i) =
<p_u, q_i> + b_i.  Each training triple is (user, clicked item, random unclicked item),
loss = -log sigmoid(score_pos - score_neg) + lambda * L2.  Adagrad lr 0.1, batch 512,
10 epochs (240 steps), seed 0.  Evaluation: AUC of one held-out click per user against
all unclicked items, plus HR@10.

Seeded bug: the L2 term is computed on the *whole* embedding tables
(`model.P.weight.pow(2).sum() + model.Q.weight.pow(2).sum()`) and added on every
mini-batch with the per-example lambda from the BPR paper (0.01).  The BPR regulariser is
meant for the rows involved in the current triples (and averaged over the batch); summed
over all 2,000 users and items it is thousands of times larger than the ranking loss, so
the update is dominated by weight decay and the factors collapse towards zero.
Correct: regularise only the batch rows, `lam * (pu.pow(2) + qi.pow(2) + qj.pow(2)).sum(1).mean()`.

Measured (seed 0): buggy final BPR loss 0.472, test AUC 0.829, HR@10 0.152 (only the
unregularised popularity bias learns); fixed copy: final BPR loss 0.143, test AUC 0.875,
HR@10 0.388.
"""
# traindebug-expect: over_regularization
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--dim", type=int, default=32)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--reg", type=float, default=0.01)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--batch-size", type=int, default=512)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

# ---- synthetic click log from a low-rank preference model ----
n_users, n_items, rank = 1200, 800, 6
U = rng.normal(size=(n_users, rank))
V = rng.normal(size=(n_items, rank))
pop = rng.normal(scale=1.0, size=n_items)
logits = U @ V.T + pop + rng.gumbel(size=(n_users, n_items))
n_clicks = 11
top = np.argsort(-logits, axis=1)[:, :n_clicks]
test_item = top[:, 0]
train = np.array([(u, i) for u in range(n_users) for i in top[u, 1:]])
seen = np.zeros((n_users, n_items), dtype=bool)
seen[np.arange(n_users)[:, None], top] = True


class BPRMF(nn.Module):
    def __init__(self, n_users, n_items, dim):
        super().__init__()
        self.P = nn.Embedding(n_users, dim)
        self.Q = nn.Embedding(n_items, dim)
        self.b = nn.Embedding(n_items, 1)
        nn.init.normal_(self.P.weight, std=0.1)
        nn.init.normal_(self.Q.weight, std=0.1)
        nn.init.zeros_(self.b.weight)

    def score(self, u, i):
        return (self.P(u) * self.Q(i)).sum(-1) + self.b(i).squeeze(-1)


def sample_negatives(users):
    neg = rng.integers(0, n_items, size=len(users))
    bad = seen[users, neg]
    while bad.any():
        neg[bad] = rng.integers(0, n_items, size=bad.sum())
        bad = seen[users, neg]
    return neg


@torch.no_grad()
def evaluate(model):
    scores = model.P.weight @ model.Q.weight.T + model.b.weight.T
    scores = scores.numpy()
    target = scores[np.arange(n_users), test_item][:, None]
    cand = ~seen
    above = ((scores > target) & cand).sum(1)
    auc = 1.0 - above / cand.sum(1)
    return auc.mean(), (above < 10).mean()


model = BPRMF(n_users, n_items, args.dim)
opt = torch.optim.Adagrad(model.parameters(), lr=args.lr)

step = 0
for epoch in range(args.epochs):
    perm = rng.permutation(len(train))
    tot = 0.0
    for start in range(0, len(train), args.batch_size):
        batch = train[perm[start:start + args.batch_size]]
        u_np, i_np = batch[:, 0], batch[:, 1]
        j_np = sample_negatives(u_np)
        u, i, j = (torch.as_tensor(a, dtype=torch.long) for a in (u_np, i_np, j_np))
        x_uij = model.score(u, i) - model.score(u, j)
        bpr = -F.logsigmoid(x_uij).mean()
        l2 = model.P.weight.pow(2).sum() + model.Q.weight.pow(2).sum()
        loss = bpr + args.reg * l2
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += bpr.item()
        step += 1
    auc, hr = evaluate(model)
    print(f"epoch {epoch} step {step} bpr loss {tot / (len(train) / args.batch_size):.4f} "
          f"test AUC {auc:.3f} HR@10 {hr:.3f}")

print(f"final test AUC {auc:.3f}  HR@10 {hr:.3f}")

"""Factorization machine (rank 4) for click prediction on a generated impression log (20k
rows: impression_id, user_id, item_id, slot, click; latent user x item affinities).
All non-label columns are label-encoded into one shared embedding space; Adam 0.01,
manual batching of 500, 12 epochs (336 steps), validation loss/AUC each epoch on the last 30%.

Seeded bug: the feature list is built as "every column except click", which also keeps
impression_id, a unique per-row key.  Each training impression gets its own first-order
weight and factor vector, so the FM memorises the training labels through the id while
nothing transfers to validation rows (whose ids were never seen).  Train loss collapses
towards 0 and validation loss rises from epoch 3 on.

Measured (seed 0): buggy final train loss 0.015, val loss 0.683 (best 0.627 at epoch 3),
val AUC 0.650; fixed copy (impression_id excluded) train loss 0.505, val loss 0.568
(still falling), val AUC 0.739.
"""
# traindebug-expect: overfitting
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ------------------------------------------------- impression log (columns) ---
N = 20000
n_users, n_items, n_slots = 100, 50, 6
u_f = rng.normal(0, 0.8, (n_users, 3))
i_f = rng.normal(0, 0.8, (n_items, 3))
i_b = rng.normal(0, 0.5, n_items)
s_b = np.linspace(-0.6, 0.6, n_slots)

log = {
    "impression_id": rng.permutation(10_000_000)[:N],
    "user_id": rng.integers(0, n_users, N),
    "item_id": rng.integers(0, n_items, N),
    "slot": rng.integers(0, n_slots, N),
}
logit = -0.8 + (u_f[log["user_id"]] * i_f[log["item_id"]]).sum(1) + i_b[log["item_id"]] + s_b[log["slot"]]
log["click"] = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

# ------------------------------------------------------ label encoding ---
FEATURES = [c for c in log if c != "click"]
vocab_offsets, cols, total = {}, [], 0
for name in FEATURES:
    _, codes = np.unique(log[name], return_inverse=True)
    cols.append(codes + total)
    vocab_offsets[name] = total
    total += codes.max() + 1
X = torch.from_numpy(np.column_stack(cols)).long()
y = torch.from_numpy(log["click"])
n_tr = int(0.7 * N)
X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]
print(f"fields {FEATURES}, {total} one-hot features, train CTR {y_tr.mean():.3f}")


class FM(nn.Module):
    def __init__(self, n_features, k=4):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))
        self.linear = nn.Embedding(n_features, 1)
        self.factors = nn.Embedding(n_features, k)
        nn.init.zeros_(self.linear.weight)
        nn.init.normal_(self.factors.weight, std=0.05)

    def forward(self, x):
        v = self.factors(x)
        pair = 0.5 * (v.sum(1).pow(2) - v.pow(2).sum(1)).sum(1)
        return self.bias + self.linear(x).sum((1, 2)) + pair


model = FM(total)
opt = torch.optim.Adam(model.parameters(), lr=0.01)

t0 = time.process_time()
step = 0
for epoch in range(12):
    model.train()
    perm = torch.randperm(n_tr)
    tl = 0.0
    for i in range(0, n_tr, 500):
        b = perm[i:i + 500]
        loss = F.binary_cross_entropy_with_logits(model(X_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tl += loss.item() * len(b)
        step += 1
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va)
        va_loss = F.binary_cross_entropy_with_logits(va_logits, y_va).item()
    auc = roc_auc_score(y_va.numpy(), va_logits.numpy())
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch + 1:2d}  step {step}  train loss {tl / n_tr:.4f}  val loss {va_loss:.4f}  val AUC {auc:.4f}")

print(f"final train loss {tl / n_tr:.4f}  val loss {va_loss:.4f}  val AUC {auc:.4f}  (cpu {time.process_time() - t0:.1f}s)")

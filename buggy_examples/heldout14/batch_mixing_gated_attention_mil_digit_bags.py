"""Attention-based multiple-instance learning on bags of load_digits images
(a bag is positive if it contains at least one '9').

Seeded bug (batch_mixing): the gated-attention scores have shape (B, N, 1) and
the softmax that should normalise them over the N instances of each bag is
taken over dim=0, i.e. across the bags of the mini-batch. Each bag's pooled
representation (and therefore its prediction) depends on the other bags in the
batch, and the attention no longer sums to one within a bag.

Measured (10 epochs, 200 Adam steps): buggy train BCE 0.427, test bag accuracy
0.795 when evaluated as one batch and 0.615 when bags are scored one at a time;
fixed (softmax over dim=1): train BCE 0.108, test accuracy 0.985 / 0.985.
"""
# traindebug-expect: batch_mixing
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target
BAG, TARGET = 8, 9


def make_bags(idx_pool, n_bags):
    bags, labels = [], []
    pos_pool = idx_pool[y[idx_pool] == TARGET]
    neg_pool = idx_pool[y[idx_pool] != TARGET]
    for b in range(n_bags):
        inst = rng.choice(neg_pool, BAG, replace=False)
        lab = b % 2
        if lab:
            k = rng.integers(1, 3)
            inst[:k] = rng.choice(pos_pool, k, replace=False)
            rng.shuffle(inst)
        bags.append(X[inst])
        labels.append(lab)
    return torch.tensor(np.stack(bags)), torch.tensor(labels, dtype=torch.float32)


perm = rng.permutation(len(X))
tr_idx, te_idx = perm[:1300], perm[1300:]
Xb_tr, yb_tr = make_bags(tr_idx, 640)
Xb_te, yb_te = make_bags(te_idx, 200)


class GatedAttentionMIL(nn.Module):
    """Ilse et al. style gated attention pooling over the instances of each bag."""

    def __init__(self, d_in=64, d_hid=64, d_att=32):
        super().__init__()
        self.feat = nn.Sequential(nn.Linear(d_in, d_hid), nn.ReLU(), nn.Linear(d_hid, d_hid), nn.ReLU())
        self.att_v = nn.Linear(d_hid, d_att)
        self.att_u = nn.Linear(d_hid, d_att)
        self.att_w = nn.Linear(d_att, 1)
        self.cls = nn.Linear(d_hid, 1)

    def forward(self, bags):                      # bags: (B, N, d_in)
        h = self.feat(bags)                       # (B, N, d_hid)
        a = self.att_w(torch.tanh(self.att_v(h)) * torch.sigmoid(self.att_u(h)))  # (B, N, 1)
        a = torch.softmax(a, dim=0)
        z = (a * h).sum(dim=1)                    # (B, d_hid)
        return self.cls(z).squeeze(-1), a.squeeze(-1)


model = GatedAttentionMIL()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

EPOCHS, BS = 10, 32
for ep in range(EPOCHS):
    model.train()
    order = torch.randperm(len(Xb_tr))
    tot = 0.0
    for i in range(0, len(order), BS):
        idx = order[i:i + BS]
        logits, _ = model(Xb_tr[idx])
        loss = F.binary_cross_entropy_with_logits(logits, yb_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    if ep % 3 == 0 or ep == EPOCHS - 1:
        print(f"epoch {ep:2d}  train bce {tot / len(order):.4f}")

model.eval()
with torch.no_grad():
    logits, att = model(Xb_te)
    acc = ((logits > 0).float() == yb_te).float().mean().item()
    # evaluation one bag at a time (as at deployment)
    single = torch.cat([model(Xb_te[i:i + 1])[0] for i in range(len(Xb_te))])
    acc1 = ((single > 0).float() == yb_te).float().mean().item()
print(f"test bag accuracy (batched) {acc:.3f}   (one bag at a time) {acc1:.3f}")

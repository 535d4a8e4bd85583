"""Implicit-feedback recommender with a feature-based user tower and negative sampling.

Users are described only by four activity features (sessions per month, minutes watched,
account age in days, lifetime spend in cents), which is typical for a cold-start model;
items have a learned embedding.  User tower: MLP 4-64-16 (ReLU); score = <user, item> +
item bias.  Training: each observed (user, item) click is paired with one uniformly
sampled negative item, BCE-with-logits on the pair, Adam lr 5e-3, batch 256,
8 epochs (304 steps).  Evaluation: hit-rate@10 of one held-out click per user ranked
against 99 sampled unclicked items.

Seeded bug: the raw activity features go straight into the user tower (values from ~20 up
to ~5000 with very different ranges); the StandardScaler that the author uses in every
other tabular pipeline was never applied here.  The first layer's pre-activations are in
the thousands, the user vector is dominated by the two largest-valued columns and the
logits saturate, so the ranking barely learns.
Correct: `user_feats = StandardScaler().fit_transform(raw_feats)`.

Measured (seed 0): buggy first-epoch loss 21.2, final train loss 0.901, test HR@10 0.472;
fixed copy (standardised features): first-epoch loss 0.591, final train loss 0.253,
test HR@10 0.998.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_USERS, N_ITEMS, K_TRUE, CLICKS_PER_USER = 600, 300, 4, 16

# ---- synthetic world: users' tastes are reflected in their activity profile ----
taste = rng.normal(size=(N_USERS, K_TRUE))
item_f = rng.normal(size=(N_ITEMS, K_TRUE))
raw_feats = np.column_stack([
    np.clip(20 + 8 * taste[:, 0], 1, None),          # sessions per month
    np.clip(3000 + 1200 * taste[:, 1], 0, None),     # minutes watched
    np.clip(700 + 250 * taste[:, 2], 1, None),       # account age, days
    np.clip(5000 + 2000 * taste[:, 3], 0, None),     # lifetime spend, cents
]).astype(np.float32)

affinity = taste @ item_f.T + 0.5 * rng.normal(size=(N_USERS, N_ITEMS))
clicks = np.argsort(-affinity, axis=1)[:, :CLICKS_PER_USER + 1]
held_out = clicks[:, 0]                                # one click per user kept for test
train_pairs = np.array([(u, i) for u in range(N_USERS) for i in clicks[u, 1:]])
clicked = np.zeros((N_USERS, N_ITEMS), dtype=bool)
clicked[np.arange(N_USERS)[:, None], clicks] = True

user_feats = torch.tensor(raw_feats)
pairs = torch.tensor(train_pairs, dtype=torch.long)


class TwoTower(nn.Module):
    def __init__(self, n_feats, n_items, dim=16):
        super().__init__()
        self.user_tower = nn.Sequential(nn.Linear(n_feats, 64), nn.ReLU(), nn.Linear(64, dim))
        self.item_emb = nn.Embedding(n_items, dim)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, feats, items):
        u = self.user_tower(feats)
        return (u * self.item_emb(items)).sum(-1) + self.item_bias(items).squeeze(-1)


def hit_rate_at_10(model, n_neg=99):
    model.eval()
    g = np.random.default_rng(123)
    hits = 0
    with torch.no_grad():
        for u in range(N_USERS):
            cand = g.choice(np.flatnonzero(~clicked[u]), n_neg, replace=False)
            items = torch.tensor(np.concatenate([[held_out[u]], cand]))
            s = model(user_feats[u].expand(len(items), -1), items)
            hits += int((s > s[0]).sum().item() < 10)
    model.train()
    return hits / N_USERS


model = TwoTower(user_feats.shape[1], N_ITEMS)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)

step = 0
for epoch in range(8):
    order = torch.randperm(len(pairs))
    total = 0.0
    for b in range(0, len(pairs), 256):
        batch = pairs[order[b:b + 256]]
        u, pos = batch[:, 0], batch[:, 1]
        neg = torch.randint(0, N_ITEMS, (len(u),))
        feats = user_feats[u]
        logits = torch.cat([model(feats, pos), model(feats, neg)])
        target = torch.cat([torch.ones(len(u)), torch.zeros(len(u))])
        loss = F.binary_cross_entropy_with_logits(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(u)
        step += 1
    print(f"epoch {epoch} step {step} train loss {total / len(pairs):.4f}")

hr = hit_rate_at_10(model)
print(f"final train loss {total / len(pairs):.4f}  test HR@10 {hr:.3f}")

"""
Seeded bug (dead_units): click-through-rate model (user/item embeddings ->
ReLU MLP -> click logit). The init loop applies the "prior probability" bias
trick (bias = log(p/(1-p)) for the base click rate, as in RetinaNet) to EVERY
nn.Linear instead of only the output layer. With a ~0.2 click rate this sets
all hidden biases to about -1.4, while the pre-activation signal from the
small embeddings is ~0.1, so every hidden ReLU unit is negative on every
sample from step 0 and never recovers (no gradient reaches the embeddings or
hidden weights; only the output bias learns).

Measured (this script vs. a copy that applies the prior only to the output
layer): layer-1 ReLU units ever active on a 512-sample batch 0% vs 100%;
train BCE frozen at 0.563 for all 5 epochs vs falling 0.553 -> 0.487;
test AUC 0.500 vs 0.646 (235 Adam steps).
"""
# traindebug-expect: dead_units
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---------------------------------------------------------------- synthetic logs
N_USERS, N_ITEMS, LATENT = 400, 250, 6
user_lat = rng.normal(size=(N_USERS, LATENT))
item_lat = rng.normal(size=(N_ITEMS, LATENT))
item_pop = rng.normal(-0.5, 0.7, size=N_ITEMS)

n_events = 30000
u = rng.integers(0, N_USERS, n_events)
i = rng.integers(0, N_ITEMS, n_events)
affinity = (user_lat[u] * item_lat[i]).sum(1) / math.sqrt(LATENT)
logit = 1.8 * affinity + item_pop[i] - 1.2
clicked = (rng.random(n_events) < 1 / (1 + np.exp(-logit))).astype(np.float32)

perm = rng.permutation(n_events)
tr, te = perm[:24000], perm[24000:]
u_tr, i_tr, y_tr = map(torch.as_tensor, (u[tr], i[tr], clicked[tr]))
u_te, i_te, y_te = map(torch.as_tensor, (u[te], i[te], clicked[te]))
base_rate = float(y_tr.mean())
print(f"train events {len(tr)}, click rate {base_rate:.3f}")


class CTRNet(nn.Module):
    def __init__(self, n_users, n_items, dim=16, hidden=(64, 32)):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        layers, d_in = [], 2 * dim
        for h in hidden:
            layers += [nn.Linear(d_in, h), nn.ReLU()]
            d_in = h
        self.mlp = nn.Sequential(*layers)
        self.out = nn.Linear(d_in, 1)

    def forward(self, users, items):
        x = torch.cat([self.user_emb(users), self.item_emb(items)], dim=-1)
        return self.out(self.mlp(x)).squeeze(-1)


model = CTRNet(N_USERS, N_ITEMS)

# init: small embeddings, xavier weights, and start the logits at the base rate
prior_bias = math.log(base_rate / (1 - base_rate))
for m in model.modules():
    if isinstance(m, nn.Embedding):
        nn.init.normal_(m.weight, std=0.05)
    elif isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.constant_(m.bias, prior_bias)

opt = torch.optim.Adam(model.parameters(), lr=1e-2)
BATCH, EPOCHS = 512, 5
steps = 0
for epoch in range(EPOCHS):
    order = torch.randperm(len(y_tr))
    total = 0.0
    for s in range(0, len(order), BATCH):
        idx = order[s:s + BATCH]
        logits = model(u_tr[idx], i_tr[idx])
        loss = F.binary_cross_entropy_with_logits(logits, y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        steps += 1
    print(f"epoch {epoch}  train bce {total / len(order):.4f}")

model.eval()
with torch.no_grad():
    p = torch.sigmoid(model(u_te, i_te)).numpy()
    x = torch.cat([model.user_emb(u_te[:512]), model.item_emb(i_te[:512])], -1)
    h1 = model.mlp[1](model.mlp[0](x))
print(f"steps {steps}  test AUC {roc_auc_score(y_te.numpy(), p):.3f}  "
      f"active hidden units (layer 1) {(h1 > 0).any(0).float().mean():.2f}")

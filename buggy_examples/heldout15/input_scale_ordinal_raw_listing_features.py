"""Ordinal (cumulative-link / CORAL-style) regression of a 1..5 condition rating
from synthetic property listings (sqft, lot size, year built, bedrooms, distance).

Seeded bug (input_scale): the raw listing features go straight into the MLP
without standardisation. Columns live on wildly different scales (year ~2000,
lot ~8000, sqft ~1800 vs bedrooms 1-5), so first-layer pre-activations are in
the thousands and the model cannot learn the ordinal structure.

Measured (304 Adam steps): buggy train BCE 30.6 -> 3.3 (erratic), val MAE 2.04,
val acc 0.19 (chance 0.20); fixed copy (standardise with train mean/std)
train BCE 0.229, val MAE 0.34, val acc 0.67.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

# ---- synthetic listings: predict a 1..5 star "condition" rating (ordinal) ----
N = 3000
sqft = rng.normal(1800, 600, N).clip(400, None)
lot = rng.normal(8000, 3000, N).clip(1000, None)
year = rng.integers(1950, 2021, N).astype(float)
beds = rng.integers(1, 6, N).astype(float)
dist_km = rng.uniform(0, 30, N)
latent = (0.9 * (year - 1985) / 20 + 0.6 * (sqft - 1800) / 600
          - 0.5 * (dist_km - 15) / 9 + 0.3 * (lot - 8000) / 3000
          + rng.normal(0, 0.35, N))
cuts = np.quantile(latent, [0.2, 0.4, 0.6, 0.8])
rating = np.searchsorted(cuts, latent)              # 0..4
X = np.stack([sqft, lot, year, beds, dist_km], 1).astype(np.float32)
K = 5

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
X_tr, y_tr = torch.from_numpy(X[tr]), torch.from_numpy(rating[tr])
X_va, y_va = torch.from_numpy(X[va]), torch.from_numpy(rating[va])


class CoralHead(nn.Module):
    """Cumulative-link ordinal head: one shared score, K-1 ordered thresholds."""

    def __init__(self, d_in, K):
        super().__init__()
        self.score = nn.Linear(d_in, 1, bias=False)
        self.bias = nn.Parameter(torch.linspace(1.0, -1.0, K - 1))

    def forward(self, h):
        return self.score(h) + self.bias          # (B, K-1) logits of P(y > k)


model = nn.Sequential(nn.Linear(5, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                      CoralHead(32, K))


def ordinal_targets(y):
    ks = torch.arange(K - 1)
    return (y[:, None] > ks[None, :]).float()


def predict(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


opt = torch.optim.Adam(model.parameters(), lr=3e-3)
bs = 64
step = 0
for epoch in range(8):
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        logits = model(X_tr[b])
        loss = F.binary_cross_entropy_with_logits(logits, ordinal_targets(y_tr[b]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        step += 1
    with torch.no_grad():
        pv = predict(model(X_va))
        mae = (pv - y_va).abs().float().mean().item()
        acc = (pv == y_va).float().mean().item()
    print(f"epoch {epoch} step {step} train_loss {tot / len(X_tr):.4f} "
          f"val_MAE {mae:.3f} val_acc {acc:.3f}")

"""Healthy control: DeepFM click-through model on a generated ad-impression log (24k
impressions, 5 categorical fields, 4 count features log1p-transformed and standardised).
Categorical values are feature-hashed ("field=value", crc32) into one shared table of
2^15 buckets; FM + 2-layer MLP, BCEWithLogits, Adagrad lr 0.02 (the classic CTR optimizer),
DataLoader batch 256 shuffled, 5 epochs (375 steps).

Possible false alarm: only ~490 of the 32768 hash buckets are ever used, so ~98.5% of the
rows of both embedding tables never receive a nonzero gradient and never change; a
detector looking at per-parameter gradient/update statistics might call this
no_gradient_flow or frozen_or_unoptimized.  Adagrad's effective step also shrinks steadily,
which might look like a learning rate decaying towards zero.

Measured (seed 0): final train logloss 0.447, test logloss 0.455, test AUC 0.743 (same as a
vocabulary-indexed Adam version: 0.455 / 0.742).
"""
# traindebug-expect: clean
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import log_loss, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

FIELD_SIZES = {"user": 300, "ad": 120, "site": 40, "device": 4, "hour": 24}
N = 24000

# ------------------------------------------------------------------ logs ---
cats = np.column_stack([rng.integers(0, s, N) for s in FIELD_SIZES.values()])
user_bias = rng.normal(0, 0.6, FIELD_SIZES["user"])
ad_bias = rng.normal(0, 0.6, FIELD_SIZES["ad"])
user_vec = rng.normal(0, 0.6, (FIELD_SIZES["user"], 4))
ad_vec = rng.normal(0, 0.6, (FIELD_SIZES["ad"], 4))
site_bias = rng.normal(0, 0.4, FIELD_SIZES["site"])
hour_eff = 0.4 * np.sin(np.arange(24) / 24 * 2 * np.pi)

# integer "count" columns as they come out of the log pipeline
past_impressions = rng.lognormal(7.0, 1.5, N).round()          # up to ~1e5
past_clicks = rng.binomial(past_impressions.astype(int), 0.02)
secs_since_visit = rng.exponential(2e5, N).round()
bid_micros = rng.lognormal(13.0, 0.5, N).round()               # ~ 4e5
dense = np.column_stack([past_impressions, past_clicks, secs_since_visit, bid_micros])

u, a, s, d, h = cats.T
hist_ctr = (past_clicks + 1) / (past_impressions + 50)
logit = (-1.7 + user_bias[u] + ad_bias[a] + site_bias[s] + hour_eff[h] + 0.3 * (d == 0)
         + (user_vec[u] * ad_vec[a]).sum(1)
         + 8.0 * (hist_ctr - 0.02) - 0.25 * (np.log1p(secs_since_visit) - 12) + 0.4 * (np.log(bid_micros) - 13))
clicks = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

HASH_BUCKETS = 2 ** 15


def hash_features(cats):
    """Feature hashing of "field=value" tokens into one shared table (stable, no vocab needed)."""
    ids = np.empty_like(cats)
    for j, field in enumerate(FIELD_SIZES):
        ids[:, j] = [zlib.crc32(f"{field}={v}".encode()) % HASH_BUCKETS for v in cats[:, j]]
    return ids


cat_ids = torch.from_numpy(hash_features(cats)).long()
dense_log = np.log1p(dense)
dense_log = (dense_log - dense_log[:int(0.8 * N)].mean(0)) / dense_log[:int(0.8 * N)].std(0)
dense_x = torch.from_numpy(dense_log.astype(np.float32))
y = torch.from_numpy(clicks)

n_train = int(0.8 * N)
train_ds = TensorDataset(cat_ids[:n_train], dense_x[:n_train], y[:n_train])
test_ds = TensorDataset(cat_ids[n_train:], dense_x[n_train:], y[n_train:])
print(f"{n_train} train impressions, CTR {y[:n_train].mean():.3f}")


class DeepFM(nn.Module):
    def __init__(self, n_features, n_fields, n_dense, k=8, hidden=(64, 32)):
        super().__init__()
        self.w0 = nn.Parameter(torch.zeros(1))
        self.w = nn.Embedding(n_features, 1)
        self.v = nn.Embedding(n_features, k)
        self.dense_w = nn.Linear(n_dense, 1, bias=False)
        nn.init.zeros_(self.w.weight)
        nn.init.normal_(self.v.weight, std=0.01)
        layers, d_in = [], n_fields * k + n_dense
        for hdim in hidden:
            layers += [nn.Linear(d_in, hdim), nn.ReLU()]
            d_in = hdim
        layers.append(nn.Linear(d_in, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, ids, dense):
        emb = self.v(ids)                                       # (B, F, k)
        first = self.w0 + self.w(ids).sum(dim=(1, 2)) + self.dense_w(dense).squeeze(-1)
        square_of_sum = emb.sum(1).pow(2)
        sum_of_square = emb.pow(2).sum(1)
        fm = 0.5 * (square_of_sum - sum_of_square).sum(1)
        deep = self.mlp(torch.cat([emb.flatten(1), dense], dim=1)).squeeze(-1)
        return first + fm + deep


model = DeepFM(HASH_BUCKETS, len(FIELD_SIZES), dense.shape[1])
print(f"{len(torch.unique(cat_ids))} of {HASH_BUCKETS} hash buckets are ever used")
opt = torch.optim.Adagrad(model.parameters(), lr=0.02)
loss_fn = nn.BCEWithLogitsLoss()
loader = DataLoader(train_ds, batch_size=256, shuffle=True)


@torch.no_grad()
def evaluate(ds):
    ids, dn, yy = ds.tensors
    p = torch.sigmoid(model(ids, dn)).numpy().astype(np.float64)
    return log_loss(yy.numpy(), np.clip(p, 1e-7, 1 - 1e-7)), roc_auc_score(yy.numpy(), p)


t0 = time.process_time()
step = 0
for epoch in range(5):
    model.train()
    tot = 0.0
    for ids, dn, yy in loader:
        loss = loss_fn(model(ids, dn), yy)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(yy)
        step += 1
    model.eval()
    ll, auc = evaluate(test_ds)
    print(f"epoch {epoch + 1}  step {step}  train logloss {tot / n_train:.4f}  test logloss {ll:.4f}  test AUC {auc:.4f}")

print(f"final test logloss {ll:.4f}, AUC {auc:.4f}  (cpu {time.process_time() - t0:.1f}s)")

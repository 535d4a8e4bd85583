"""DeepFM click-through model on a generated ad-impression log (24k impressions, 5 categorical
fields: user/ad/site/device/hour, plus 4 integer dense features: past impressions, past
clicks, seconds since last visit, bid in micros).  FM first/second-order terms plus a 2-layer
MLP over the field embeddings concatenated with the dense features; BCEWithLogits, Adam 1e-3,
DataLoader batch 256 shuffled, 5 epochs (375 steps).

Seeded bug: the dense count columns go into the network exactly as they come out of the
log pipeline (values up to ~1e5-1e6: impressions, seconds, micro-dollars), without the usual
log1p + standardisation of Criteo-style count features.  The deep tower and the dense
linear term receive inputs six orders of magnitude larger than the embeddings, so logits
explode and the loss swings wildly.

Measured (seed 0): buggy final test logloss 11.11, AUC 0.476 (train logloss in the
hundreds-thousands); fixed copy (log1p then standardise with train statistics) test
logloss 0.455, AUC 0.742.
"""
# traindebug-expect: input_scale
import time

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

offsets = np.concatenate([[0], np.cumsum(list(FIELD_SIZES.values()))[:-1]])
cat_ids = torch.from_numpy(cats + offsets).long()
dense_x = torch.from_numpy(dense.astype(np.float32))
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


model = DeepFM(sum(FIELD_SIZES.values()), len(FIELD_SIZES), dense.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
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

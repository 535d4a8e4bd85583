"""Poisson count regression of hourly bike rentals (3000 rows, 120 docking
stations): standardised numeric columns + hashed categorical embeddings
(2048 buckets, dim 8) -> MLP 96-96 -> log-rate, nn.PoissonNLLLoss
(log_input=True, full=True), Adam lr 4e-3, batch 128, 36 epochs (~650 steps),
validation Poisson NLL computed every epoch under torch.no_grad().

Seeded bug: categorical columns are selected with
`[c for c in table if c.endswith("_id")]`, which sweeps in `rental_id`, the
unique record key, next to the intended `station_id`.  Each training row gets
its own (hashed) embedding, so the network can memorise the Poisson noise of
individual rows; validation rows hash into buckets that hold other rows'
memorised noise.  Training NLL keeps falling while validation NLL bottoms out
around epoch 16 and then climbs steadily.
Measured (fixed copy uses only station_id as categorical and drops
rental_id): final val NLL 3.363 (best 3.063 at epoch 16) vs 2.879; final
train NLL 2.018 vs 2.401; val MAE 3.98 vs 3.38 rentals.
"""
# traindebug-expect: overfitting
import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# -------------------------------------------------------------- synthetic rental log
# one row per (station, hour) observation; target = number of bikes rented (count)
n_rows, n_stations = 3000, 120
table = {
    "rental_id": rng.permutation(10_000_000)[:n_rows] + 10_000_000,
    "station_id": rng.integers(0, n_stations, n_rows),
    "temp_c": rng.normal(15, 8, n_rows),
    "humidity": rng.uniform(20, 95, n_rows),
    "hour": rng.integers(0, 24, n_rows),
    "weekend": rng.integers(0, 2, n_rows),
}
station_effect = rng.normal(0, 0.5, n_stations)
log_rate = (
    1.0
    + 0.04 * table["temp_c"]
    - 0.015 * (table["humidity"] - 60)
    + 0.8 * np.exp(-((table["hour"] - 8) ** 2) / 6) + 1.0 * np.exp(-((table["hour"] - 17) ** 2) / 6)
    - 0.3 * table["weekend"]
    + station_effect[table["station_id"]]
)
table["rentals"] = rng.poisson(np.exp(log_rate))

TARGET = "rentals"
cat_cols = [c for c in table if c.endswith("_id")]
num_cols = [c for c in table if c not in cat_cols and c != TARGET]
N_BUCKETS = 2048  # hashing trick for categorical ids


def encode(rows):
    num = np.stack([table[c][rows] for c in num_cols], 1).astype(np.float32)
    cat = np.stack([table[c][rows] % N_BUCKETS for c in cat_cols], 1)
    return num, cat


idx_tr, idx_va = train_test_split(np.arange(n_rows), test_size=0.25, random_state=0)
num_tr, cat_tr = encode(idx_tr)
num_va, cat_va = encode(idx_va)
mu, sd = num_tr.mean(0), num_tr.std(0)
num_tr, num_va = torch.tensor((num_tr - mu) / sd), torch.tensor((num_va - mu) / sd)
cat_tr, cat_va = torch.tensor(cat_tr), torch.tensor(cat_va)
y_tr = torch.tensor(table[TARGET][idx_tr], dtype=torch.float32)
y_va = torch.tensor(table[TARGET][idx_va], dtype=torch.float32)
print(f"numeric {num_cols}  categorical {cat_cols}  train {len(y_tr)}  val {len(y_va)}")


class CountModel(nn.Module):
    def __init__(self, n_num, n_cat, emb_dim=8, hidden=96):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(N_BUCKETS, emb_dim) for _ in range(n_cat)])
        self.mlp = nn.Sequential(
            nn.Linear(n_num + n_cat * emb_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, num, cat):
        e = [emb(cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat([num] + e, 1)).squeeze(1)  # log-rate


model = CountModel(len(num_cols), len(cat_cols))
opt = torch.optim.Adam(model.parameters(), lr=4e-3)
loss_fn = nn.PoissonNLLLoss(log_input=True, full=True)

batch_size = 128
for epoch in range(1, 37):
    model.train()
    perm = torch.randperm(len(y_tr))
    tot = 0.0
    for i in range(0, len(y_tr), batch_size):
        b = perm[i:i + batch_size]
        loss = loss_fn(model(num_tr[b], cat_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        val_loss = loss_fn(model(num_va, cat_va), y_va).item()
    if epoch % 4 == 0 or epoch == 1:
        print(f"epoch {epoch:2d}  train poisson nll {tot / len(y_tr):.4f}  val poisson nll {val_loss:.4f}")

with torch.no_grad():
    mae = (model(num_va, cat_va).exp() - y_va).abs().mean().item()
print(f"final val poisson nll {val_loss:.4f}  val MAE {mae:.3f}")

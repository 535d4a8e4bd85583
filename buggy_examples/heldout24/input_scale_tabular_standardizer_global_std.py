"""House-price regression on simulated tabular listings: a hand-written Standardizer class,
a custom Dataset yielding dicts, a district embedding and an MLP trained with Adam.

Seeded bug: Standardizer.fit computes the mean per column (axis=0) but the scale with
X.std(keepdims=True) and no axis, i.e. one global std over all entries (~2.4e4, dominated
by the income column and the spread of column means). After "standardising", income has
std 0.74 and lot size 0.17, while living area (0.019), age (1.1e-3), distance (3.5e-4) and
bedrooms (6e-5) are effectively invisible to the first layer, although they drive much of
the target.

Measured (this script vs. a copy with X.std(axis=0, keepdims=True)): after 8 epochs
(~300 steps) val MSE on the standardised target 0.640 vs 0.032 (R2 0.34 vs 0.97),
train MSE 0.627 vs 0.033.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(11)
rng = np.random.default_rng(11)

NUMERIC = ["living_area_sqft", "lot_size_sqft", "age_years", "bedrooms", "dist_center_km", "median_income"]
N_DISTRICTS = 12


def simulate_listings(n):
    area = rng.normal(1600, 450, n).clip(400)
    lot = rng.lognormal(8.8, 0.5, n)
    age = rng.uniform(0, 90, n)
    beds = rng.integers(1, 6, n).astype(float)
    dist = rng.gamma(2.0, 6.0, n)
    income = rng.normal(62000, 18000, n).clip(15000)
    district = rng.integers(0, N_DISTRICTS, n)
    district_effect = rng.normal(0, 0.25, N_DISTRICTS)
    log_price = (11.5 + 0.00045 * area + 0.05 * np.log(lot) - 0.006 * age + 0.04 * beds
                 - 0.035 * dist + 0.06 * np.sin(age / 15) + 6e-6 * income
                 + district_effect[district] + rng.normal(0, 0.08, n))
    num = np.stack([area, lot, age, beds, dist, income], 1)
    return num, district, log_price


class Standardizer:
    """Minimal sklearn-style scaler so the stats can be stored with the model."""

    def fit(self, X):
        self.mean_ = X.mean(axis=0, keepdims=True)
        self.scale_ = X.std(keepdims=True) + 1e-8
        return self

    def transform(self, X):
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X):
        return self.fit(X).transform(X)


class ListingDataset(Dataset):
    def __init__(self, num, district, target):
        self.num = torch.tensor(num, dtype=torch.float32)
        self.district = torch.tensor(district, dtype=torch.long)
        self.target = torch.tensor(target, dtype=torch.float32)

    def __len__(self):
        return len(self.target)

    def __getitem__(self, i):
        return {"num": self.num[i], "district": self.district[i], "target": self.target[i]}


class PriceModel(nn.Module):
    def __init__(self, n_num, n_cat, emb_dim=4, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(n_cat, emb_dim)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, batch):
        h = torch.cat([batch["num"], self.emb(batch["district"])], dim=1)
        return self.mlp(h).squeeze(1)


num, district, log_price = simulate_listings(3000)
n_tr = 2400
x_scaler = Standardizer().fit(num[:n_tr])
y_mu, y_sd = log_price[:n_tr].mean(), log_price[:n_tr].std()
train_ds = ListingDataset(x_scaler.transform(num[:n_tr]), district[:n_tr], (log_price[:n_tr] - y_mu) / y_sd)
val_ds = ListingDataset(x_scaler.transform(num[n_tr:]), district[n_tr:], (log_price[n_tr:] - y_mu) / y_sd)
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=600)

model = PriceModel(len(NUMERIC), N_DISTRICTS)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
for epoch in range(8):
    model.train()
    tot = 0.0
    for batch in train_dl:
        loss = loss_fn(model(batch), batch["target"])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(batch["target"])
    model.eval()
    with torch.no_grad():
        vb = next(iter(val_dl))
        val_mse = loss_fn(model(vb), vb["target"]).item()
    print(f"epoch {epoch} train_mse {tot / len(train_ds):.4f} val_mse {val_mse:.4f} val_R2 {1 - val_mse / vb['target'].var().item():.3f}")
rmse_log = np.sqrt(val_mse) * y_sd
print(f"val RMSE in log-price {rmse_log:.4f} (~{100 * (np.exp(rmse_log) - 1):.1f}% typical error)")

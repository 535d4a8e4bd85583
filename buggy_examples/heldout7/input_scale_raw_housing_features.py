"""House-price MLP on a synthetic listings table (price in units of $100k).

Seeded bug (input_scale): the raw columns go straight into the network: sqft
(450-4200), year_built (~1900-2020), lat (~37.5), lon (~-122), bedrooms and lot_size
(lognormal, ~5000). Feature scales differ by 3-4 orders of magnitude and have large
offsets; no standardisation is applied.

Measured (6 epochs, 300 steps, Adam 1e-3): epoch-1 train_mse 1559, final val_mse
3.15, val_r2 0.112. The fixed copy (column-wise standardisation of X) gets val_mse
0.186, val_r2 0.948.
"""
# traindebug-expect: input_scale
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader, random_split

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)

# ----------------------------------------------------------------------------
# synthetic listings table (columns as exported from the listings CSV)
# ----------------------------------------------------------------------------
n = 4000
sqft = rng.uniform(450, 4200, n)
year_built = rng.integers(1905, 2022, n).astype(float)
lat = rng.uniform(37.20, 37.90, n)
lon = rng.uniform(-122.55, -121.75, n)
bedrooms = np.clip(np.round(sqft / 600 + rng.normal(0, 0.7, n)), 1, 7)
lot_size = rng.lognormal(8.5, 0.5, n)
dist_center = np.sqrt((lat - 37.77) ** 2 + (lon - 122.42 * -1) ** 2) * 111.0

price_100k = (2.0 + 1.6 * (sqft / 1000) ** 0.9 - 0.9 * np.log1p(dist_center)
              + 0.004 * (year_built - 1960) + 0.15 * bedrooms
              + 0.25 * np.log(lot_size / 5000) + rng.normal(0, 0.25, n))

X = np.column_stack([sqft, year_built, lat, lon, bedrooms, lot_size]).astype(np.float32)
y = price_100k.astype(np.float32)[:, None]

ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
train_ds, val_ds = random_split(ds, [3200, 800], generator=torch.Generator().manual_seed(0))
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=800)


class PriceNet(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1))

    def forward(self, x):
        return self.body(x)


model = PriceNet(X.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6 * len(train_dl))
loss_fn = nn.MSELoss()

for epoch in range(6):
    model.train()
    tl = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        tl += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        xb, yb = next(iter(val_dl))
        pred = model(xb)
        vmse = loss_fn(pred, yb).item()
        r2 = 1 - ((pred - yb) ** 2).sum().item() / ((yb - yb.mean()) ** 2).sum().item()
    print(f"epoch {epoch+1}: train_mse={tl/len(train_ds):.4f}  val_mse={vmse:.4f}  val_r2={r2:.3f}")

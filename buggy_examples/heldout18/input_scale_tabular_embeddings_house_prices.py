"""House-price regression with categorical embeddings + standardised numeric features
(dataclass config, custom Dataset/DataLoader, AdamW).

Seeded bug: the numeric features are carefully standardised, but the regression
target is fed to MSELoss in raw dollars (mean ~$420k, std ~$140k). The network
output starts near 0, so the loss is ~2e11 and the gradient is dominated by
the huge target scale; in 304 AdamW steps at lr 3e-3 the output climbs only a
fraction of the way and the model stays worse than predicting the mean.
Measured (8 epochs, 304 steps): buggy val RMSE $393,777 (train MSE 1.8e11),
worse than the $141,326 predict-the-mean baseline; fixed (target z-scored with
train mean/std, predictions mapped back) val RMSE $22,521.
"""
# traindebug-expect: input_scale
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


@dataclass
class Config:
    n_rows: int = 3000
    n_hoods: int = 25
    n_types: int = 4
    emb_dim: int = 6
    hidden: tuple = (64, 32)
    dropout: float = 0.1
    lr: float = 3e-3
    weight_decay: float = 1e-4
    batch_size: int = 64
    epochs: int = 8
    seed: int = 5
    numeric: list = field(default_factory=lambda: ["sqft", "year_built", "lot_size", "rooms", "dist_km"])


def synth_listings(cfg):
    rng = np.random.default_rng(cfg.seed)
    n = cfg.n_rows
    hood = rng.integers(0, cfg.n_hoods, n)
    btype = rng.integers(0, cfg.n_types, n)
    sqft = rng.gamma(6.0, 300.0, n) + 400
    year = rng.integers(1920, 2022, n).astype(float)
    lot = rng.lognormal(8.6, 0.5, n)
    rooms = np.clip(np.round(sqft / 450 + rng.normal(0, 0.7, n)), 1, 9)
    dist = rng.gamma(2.0, 6.0, n)
    hood_premium = rng.normal(0, 60_000, cfg.n_hoods)
    type_premium = np.array([0.0, -35_000, 25_000, 80_000])[: cfg.n_types]
    price = (60_000 + 145 * sqft + 900 * (year - 1920) + 4.0 * lot + 9_000 * rooms
             - 3_500 * dist + hood_premium[hood] + type_premium[btype]
             + rng.normal(0, 20_000, n))
    cols = {"hood": hood, "btype": btype, "sqft": sqft, "year_built": year,
            "lot_size": lot, "rooms": rooms, "dist_km": dist, "price": price}
    return cols


class ListingDataset(Dataset):
    def __init__(self, cats, nums, target):
        self.cats = torch.as_tensor(cats, dtype=torch.long)
        self.nums = torch.as_tensor(nums, dtype=torch.float32)
        self.target = torch.as_tensor(target, dtype=torch.float32)

    def __len__(self):
        return len(self.target)

    def __getitem__(self, i):
        return self.cats[i], self.nums[i], self.target[i]


class PriceModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.hood_emb = nn.Embedding(cfg.n_hoods, cfg.emb_dim)
        self.type_emb = nn.Embedding(cfg.n_types, 3)
        d = cfg.emb_dim + 3 + len(cfg.numeric)
        layers = []
        for h in cfg.hidden:
            layers += [nn.Linear(d, h), nn.SiLU(), nn.Dropout(cfg.dropout)]
            d = h
        layers.append(nn.Linear(d, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, cats, nums):
        x = torch.cat([self.hood_emb(cats[:, 0]), self.type_emb(cats[:, 1]), nums], dim=1)
        return self.mlp(x).squeeze(-1)


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    cols = synth_listings(cfg)
    cats = np.stack([cols["hood"], cols["btype"]], 1)
    nums = np.stack([cols[c] for c in cfg.numeric], 1)
    y = cols["price"]
    idx_tr, idx_va = train_test_split(np.arange(cfg.n_rows), test_size=0.2, random_state=cfg.seed)

    scaler = StandardScaler().fit(nums[idx_tr])
    nums_s = scaler.transform(nums)

    train_ds = ListingDataset(cats[idx_tr], nums_s[idx_tr], y[idx_tr])
    val_ds = ListingDataset(cats[idx_va], nums_s[idx_va], y[idx_va])
    train_dl = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(cfg.seed))
    val_dl = DataLoader(val_ds, batch_size=512)

    model = PriceModel(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = nn.MSELoss()
    baseline_rmse = float(np.sqrt(np.mean((y[idx_va] - y[idx_tr].mean()) ** 2)))

    for epoch in range(cfg.epochs):
        model.train()
        for c, n, t in train_dl:
            pred = model(c, n)
            loss = loss_fn(pred, t)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        se, cnt = 0.0, 0
        with torch.no_grad():
            for c, n, t in val_dl:
                se += ((model(c, n) - t) ** 2).sum().item()
                cnt += len(t)
        print(f"epoch {epoch + 1}: train_mse={loss.item():.4g}  val_rmse=${np.sqrt(se / cnt):,.0f}"
              f"  (predict-mean baseline ${baseline_rmse:,.0f})")


if __name__ == "__main__":
    main()

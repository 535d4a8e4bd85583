"""Seeded bug: a tabular model with embeddings for two categorical columns
(city, product) and three numeric columns (income in dollars, account age in
days, number of purchases) that are fed raw. Income is ~5e4 and swamps the
first layer; with Adam at 1e-3 the epoch-mean loss swings between ~5 and
~9 (huge logits) while the same model with standardised numeric columns
reaches ~0.19 (measured)."""
# traindebug-expect: input_scale
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_table(n, seed=0):
    rng = np.random.default_rng(seed)
    city = rng.integers(0, 20, n)
    product = rng.integers(0, 8, n)
    income = rng.lognormal(10.8, 0.5, n)
    age_days = rng.integers(1, 3000, n).astype(float)
    purchases = rng.poisson(5, n).astype(float)
    city_effect = rng.normal(0, 1, 20)[city]
    score = (city_effect + 0.8 * (product % 3 == 0) + 1.2 * (np.log(income) - 10.8) / 0.5
             - 0.8 * (age_days - 1500) / 870 + 0.3 * (purchases - 5))
    label = (score + rng.normal(0, 0.5, n) > 0).astype(np.float32)
    numeric = np.stack([income, age_days, purchases], 1).astype(np.float32)
    return city, product, numeric, label


class TabularNet(nn.Module):
    def __init__(self, n_city=20, n_product=8, n_numeric=3):
        super().__init__()
        self.city = nn.Embedding(n_city, 8)
        self.product = nn.Embedding(n_product, 4)
        self.mlp = nn.Sequential(nn.Linear(8 + 4 + n_numeric, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Linear(32, 1))

    def forward(self, city, product, numeric):
        x = torch.cat([self.city(city), self.product(product), numeric], dim=1)
        return self.mlp(x).squeeze(1)


torch.manual_seed(0)
city, product, numeric, label = make_table(8000)
# BUG: numeric columns are never standardised (income ~5e4, age ~1500 days)
ds = TensorDataset(torch.tensor(city), torch.tensor(product), torch.tensor(numeric), torch.tensor(label))
loader = DataLoader(ds, batch_size=128, shuffle=True)
model = TabularNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.BCEWithLogitsLoss()
for epoch in range(6):
    total = 0.0
    for c, p, num, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(c, p, num), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    print(f"epoch {epoch} loss {total / len(loader):.3f}")

"""Tabular count regression (synthetic bike rentals): categorical embeddings + numeric columns -> MLP, custom Dataset/DataLoader, AdamW.

Seeded bug (non_finite): the Poisson NLL is called with log_input=False, i.e. the raw,
unconstrained output of the final Linear layer is treated as the Poisson rate. The loss then
takes log(rate + 1e-8) of negative outputs, which is NaN from the very first batch; the NaN
gradient is applied by AdamW and every parameter becomes NaN.

Measured (5 epochs, 315 steps): loss NaN at step 1 and every step after; train/val NLL nan.
Fixed copy (log_input=True, output read as log-rate): train NLL 5.88 at step 1 -> -35.1
(full=False omits the constant log(y!) term, so negative values are expected), val NLL -38.4.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SEED = 5
torch.manual_seed(SEED)
torch.set_num_threads(2)


class RentalsDataset(Dataset):
    """Synthetic bike-rental counts: 3 categorical + 4 numeric columns -> daily count."""

    def __init__(self, n, rng):
        self.station = rng.integers(0, 40, n)
        self.weekday = rng.integers(0, 7, n)
        self.weather = rng.integers(0, 4, n)
        self.num = rng.normal(0, 1, (n, 4)).astype(np.float32)
        station_eff = np.random.default_rng(99).normal(0, 0.6, 40)
        log_rate = (3.0 + station_eff[self.station] + 0.3 * (self.weekday >= 5)
                    - 0.5 * self.weather + 0.4 * self.num[:, 0] - 0.2 * self.num[:, 1])
        self.y = rng.poisson(np.exp(log_rate)).astype(np.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        cats = torch.tensor([self.station[i], self.weekday[i], self.weather[i]])
        return cats, torch.from_numpy(self.num[i]), torch.tensor(self.y[i])


class EmbeddingRegressor(nn.Module):
    def __init__(self, cardinalities=(40, 7, 4), emb_dim=6, n_num=4, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, emb_dim) for c in cardinalities)
        self.mlp = nn.Sequential(
            nn.Linear(emb_dim * len(cardinalities) + n_num, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, cats, num):
        e = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [num], dim=1)).squeeze(1)


def poisson_deviance(rate, target):
    return F.poisson_nll_loss(rate, target, log_input=False, full=False)


def main():
    rng = np.random.default_rng(SEED)
    train_ds, val_ds = RentalsDataset(4000, rng), RentalsDataset(800, rng)
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=400)

    model = EmbeddingRegressor()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

    step = 0
    for epoch in range(5):
        model.train()
        tot, n = 0.0, 0
        for cats, num, y in train_dl:
            loss = poisson_deviance(model(cats, num), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(y)
            n += len(y)
            step += 1
        model.eval()
        with torch.no_grad():
            vals = [poisson_deviance(model(c, x), y).item() for c, x, y in val_dl]
        print(f"epoch {epoch}  steps {step}  train_nll {tot / n:.4f}  val_nll {np.mean(vals):.4f}")


if __name__ == "__main__":
    main()


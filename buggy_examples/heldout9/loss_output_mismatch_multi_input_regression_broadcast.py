"""Multi-input tabular regression (numeric features + store/weekday embeddings) on a
synthetic sales table; nested config dict, AdamW.

Seeded bug (loss_output_mismatch): the model returns predictions of shape (B, 1) while
the target from the dataset has shape (B,). nn.MSELoss(pred, y) silently broadcasts
them to (B, B) and compares every prediction with every target of the batch (the
broadcast UserWarning is hidden by warnings.filterwarnings("ignore")). The optimum of
that loss is predicting the batch mean, so the model learns nothing about the inputs.

Measured (300 steps): buggy train loss stays at 1.012, val MSE 0.939 (val target
variance 0.957, i.e. mean predictor). Fixed (pred.squeeze(-1)): train loss 0.121,
val MSE 0.124."""
# traindebug-expect: loss_output_mismatch
import warnings
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CONFIG = {
    "data": {"n_rows": 4000, "n_num": 8, "n_stores": 20, "n_weekdays": 7},
    "model": {"emb_dim": 8, "hidden": [128, 64], "dropout": 0.1},
    "opt": {"name": "adamw", "lr": 2e-3, "weight_decay": 1e-4},
    "loop": {"batch_size": 128, "epochs": 12},
}


def build_table(cfg, seed=0):
    rng = np.random.default_rng(seed)
    n, k = cfg["n_rows"], cfg["n_num"]
    num = rng.normal(size=(n, k)).astype(np.float32)
    store = rng.integers(0, cfg["n_stores"], size=n)
    day = rng.integers(0, cfg["n_weekdays"], size=n)
    store_effect = rng.normal(0, 1.0, size=cfg["n_stores"])
    day_effect = np.array([0.0, 0.1, 0.2, 0.1, 0.5, 1.2, 0.9])
    w = rng.normal(0, 0.7, size=k)
    y = (num @ w + np.sin(2 * num[:, 0]) + 0.5 * num[:, 1] * num[:, 2]
         + store_effect[store] + day_effect[day] + rng.normal(0, 0.3, size=n))
    y = (y - y.mean()) / y.std()
    # a single record array, as it would come out of a feature store export
    table = np.concatenate([num, store[:, None], day[:, None], y[:, None]], axis=1).astype(np.float32)
    return table


class SalesDataset(Dataset):
    def __init__(self, table, n_num):
        self.num = torch.from_numpy(table[:, :n_num])
        self.store = torch.from_numpy(table[:, n_num]).long()
        self.day = torch.from_numpy(table[:, n_num + 1]).long()
        self.target = torch.from_numpy(table[:, -1])

    def __len__(self):
        return len(self.target)

    def __getitem__(self, i):
        return {"num": self.num[i], "store": self.store[i], "day": self.day[i]}, self.target[i]


class SalesNet(nn.Module):
    def __init__(self, n_num, n_stores, n_days, emb_dim, hidden, dropout):
        super().__init__()
        self.store_emb = nn.Embedding(n_stores, emb_dim)
        self.day_emb = nn.Embedding(n_days, emb_dim)
        layers, d = [], n_num + 2 * emb_dim
        for h in hidden:
            layers += [nn.Linear(d, h), nn.SiLU(), nn.Dropout(dropout)]
            d = h
        self.trunk = nn.Sequential(*layers)
        self.out = nn.Linear(d, 1)

    def forward(self, num, store, day):
        z = torch.cat([num, self.store_emb(store), self.day_emb(day)], dim=-1)
        return self.out(self.trunk(z))


def evaluate(model, loader):
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for feats, y in loader:
            pred = model(**feats).squeeze(-1)
            se += ((pred - y) ** 2).sum().item()
            n += len(y)
    model.train()
    return se / n


def main():
    dc = CONFIG["data"]
    table = build_table(dc)
    split = int(0.8 * len(table))
    tr = SalesDataset(table[:split], dc["n_num"])
    va = SalesDataset(table[split:], dc["n_num"])
    tl = DataLoader(tr, batch_size=CONFIG["loop"]["batch_size"], shuffle=True,
                    generator=torch.Generator().manual_seed(0))
    vl = DataLoader(va, batch_size=512)

    model = SalesNet(dc["n_num"], dc["n_stores"], dc["n_weekdays"], **CONFIG["model"])
    oc = CONFIG["opt"]
    opt = torch.optim.AdamW(model.parameters(), lr=oc["lr"], weight_decay=oc["weight_decay"])
    criterion = nn.MSELoss()
    print(f"val target variance {va.target.var().item():.3f}")
    for epoch in range(CONFIG["loop"]["epochs"]):
        running = 0.0
        for feats, y in tl:
            pred = model(**feats)
            loss = criterion(pred, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
        if epoch % 2 == 1 or epoch == CONFIG["loop"]["epochs"] - 1:
            print(f"epoch {epoch:2d} train_loss {running / len(tl):.4f} val_mse {evaluate(model, vl):.4f}")


if __name__ == "__main__":
    main()

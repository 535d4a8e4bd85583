"""Multi-input churn model: categorical embeddings (region, plan, device) plus
numeric features, trained on a generated customer table.

Seeded bug (label_problem): before the time-based split, the table is sorted
by signup day, but only the columns listed in FEATURE_COLS are reordered; the
target column "churned" keeps its original order, so labels no longer belong
to the rows they sit next to.
Measured (this file vs. a copy that also reorders "churned"; 8 epochs, 288 steps):
final train BCE 0.550 (base-rate entropy 0.558) vs 0.372; val AUC 0.526 vs 0.828;
buggy val accuracy 0.751 is just the majority-class rate (predicts "no churn").
"""
# traindebug-expect: label_problem
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader
from sklearn.metrics import roc_auc_score

torch.set_num_threads(1)
torch.manual_seed(0)

CAT_COLS = {"region": 12, "plan": 4, "device": 6}
NUM_COLS = ["tenure", "monthly_spend", "support_calls", "usage_hours", "discount"]
FEATURE_COLS = list(CAT_COLS) + NUM_COLS + ["signup_day"]


def generate_customers(n, seed=1):
    rng = np.random.default_rng(seed)
    t = {}
    t["signup_day"] = rng.integers(0, 730, n)
    t["region"] = rng.integers(0, CAT_COLS["region"], n)
    t["plan"] = rng.integers(0, CAT_COLS["plan"], n)
    t["device"] = rng.integers(0, CAT_COLS["device"], n)
    t["tenure"] = (730 - t["signup_day"]) / 30.0 + rng.normal(0, 1, n)
    t["monthly_spend"] = rng.gamma(3.0, 15.0, n) + 10 * t["plan"]
    t["support_calls"] = rng.poisson(1.5, n).astype(float)
    t["usage_hours"] = rng.gamma(2.0, 10.0, n)
    t["discount"] = rng.choice([0.0, 0.1, 0.2], n)
    region_eff = rng.normal(0, 1.2, CAT_COLS["region"])
    plan_eff = np.array([0.8, 0.2, -0.4, -1.0])
    dev_eff = rng.normal(0, 0.8, CAT_COLS["device"])
    logit = (region_eff[t["region"]] + plan_eff[t["plan"]] + dev_eff[t["device"]]
             + 0.7 * t["support_calls"] - 0.08 * t["tenure"] - 0.05 * t["usage_hours"]
             - 4.0 * t["discount"] + 0.5)
    t["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return t


class ChurnTable(Dataset):
    def __init__(self, table, idx, mu, sd):
        self.cats = torch.tensor(np.stack([table[c][idx] for c in CAT_COLS], 1), dtype=torch.long)
        num = np.stack([table[c][idx] for c in NUM_COLS], 1)
        self.nums = torch.tensor((num - mu) / sd, dtype=torch.float32)
        self.y = torch.tensor(table["churned"][idx])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.cats[i], self.nums[i], self.y[i]


class ChurnNet(nn.Module):
    def __init__(self, emb_dim=6, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(k, emb_dim) for k in CAT_COLS.values()])
        d = emb_dim * len(CAT_COLS) + len(NUM_COLS)
        self.mlp = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, cats, nums):
        e = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [nums], 1)).squeeze(1)


@dataclass
class Cfg:
    n_rows: int = 6000
    val_frac: float = 0.25
    batch_size: int = 128
    epochs: int = 8
    lr: float = 3e-3


def main(cfg=Cfg()):
    table = generate_customers(cfg.n_rows)
    # time-based split: validate on the most recent signups
    order = np.argsort(table["signup_day"], kind="stable")
    for col in FEATURE_COLS:
        table[col] = table[col][order]
    n_val = int(cfg.n_rows * cfg.val_frac)
    tr_idx = np.arange(cfg.n_rows - n_val)
    va_idx = np.arange(cfg.n_rows - n_val, cfg.n_rows)
    num_tr = np.stack([table[c][tr_idx] for c in NUM_COLS], 1)
    mu, sd = num_tr.mean(0), num_tr.std(0) + 1e-8

    train_ds = ChurnTable(table, tr_idx, mu, sd)
    val_ds = ChurnTable(table, va_idx, mu, sd)
    loader = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=True)
    print(f"train rows {len(train_ds)}, churn rate {train_ds.y.mean():.3f}")

    model = ChurnNet()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(cfg.epochs):
        model.train()
        tot = 0.0
        for cats, nums, y in loader:
            loss = loss_fn(model(cats, nums), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(y)
        model.eval()
        with torch.no_grad():
            p = torch.sigmoid(model(val_ds.cats, val_ds.nums)).numpy()
        acc = ((p > 0.5) == val_ds.y.numpy()).mean()
        print(f"epoch {epoch + 1} train bce {tot / len(train_ds):.3f} "
              f"val acc {acc:.3f} auc {roc_auc_score(val_ds.y.numpy(), p):.3f}")


if __name__ == "__main__":
    main()

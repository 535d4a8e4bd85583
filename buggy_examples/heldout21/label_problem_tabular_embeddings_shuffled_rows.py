"""Seeded bug: the target column is popped out of the column dict *before* the rows are
shuffled for the train/validation split, so the feature columns get permuted but the
churn labels keep the original order: labels carry no information about the inputs.
Measured (this script vs. a copy that pops the target after shuffling, 250 Adagrad
steps): final val BCE 0.690 vs 0.382 (chance 0.671 for a 0.40 positive rate), val accuracy
0.574 (majority class 0.60) vs 0.819; train BCE only creeps from 0.685 to 0.645 by memorising.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader

torch.set_num_threads(1)
SEED = 3
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

CAT_COLS = {"region": 9, "plan": 4, "device": 5, "payment": 3}
NUM_COLS = ["tenure_months", "monthly_charge", "support_calls", "data_gb"]
TARGET = "churned"


def synth_customers(n=4000):
    d = {c: rng.integers(0, k, n) for c, k in CAT_COLS.items()}
    d["tenure_months"] = rng.gamma(2.0, 12.0, n)
    d["monthly_charge"] = 20 + 15 * d["plan"] + rng.normal(0, 5, n)
    d["support_calls"] = rng.poisson(1.0 + 0.6 * (d["device"] == 4), n).astype(float)
    d["data_gb"] = rng.lognormal(1.0, 0.7, n)
    region_eff = rng.normal(0, 0.8, CAT_COLS["region"])
    logit = (1.2 + 2.0 * region_eff[d["region"]] - 0.12 * d["tenure_months"]
             + 1.0 * d["support_calls"] + 1.8 * (d["payment"] == 2)
             + 0.06 * (d["monthly_charge"] - 40))
    d[TARGET] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return d


class TabularNet(nn.Module):
    def __init__(self, cat_cards, n_num, emb_dim=6, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(k, emb_dim) for k in cat_cards])
        self.num_bn = nn.BatchNorm1d(n_num)
        self.mlp = nn.Sequential(
            nn.Linear(emb_dim * len(cat_cards) + n_num, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 1))

    def forward(self, x_cat, x_num):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [self.num_bn(x_num)], dim=1)).squeeze(1)


cols = synth_customers()
y = cols.pop(TARGET)
perm = rng.permutation(len(y))
cols = {k: v[perm] for k, v in cols.items()}

x_cat = torch.tensor(np.stack([cols[c] for c in CAT_COLS], 1), dtype=torch.long)
x_num = np.stack([cols[c] for c in NUM_COLS], 1).astype(np.float32)
x_num[:, [0, 3]] = np.log1p(x_num[:, [0, 3]])
x_num = torch.from_numpy(x_num)
y = torch.from_numpy(y)

n_val = 800
train_ds = TensorDataset(x_cat[n_val:], x_num[n_val:], y[n_val:])
val = (x_cat[:n_val], x_num[:n_val], y[:n_val])
loader = DataLoader(train_ds, batch_size=128, shuffle=True, drop_last=True)

model = TabularNet(list(CAT_COLS.values()), len(NUM_COLS))
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
crit = nn.BCEWithLogitsLoss()
print(f"train rows {len(train_ds)}, positive rate {y.mean():.3f}")
for epoch in range(10):
    model.train()
    tot = 0.0
    for xc, xn, yb in loader:
        loss = crit(model(xc, xn), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
    model.eval()
    with torch.no_grad():
        logits = model(*val[:2])
        vloss = crit(logits, val[2]).item()
        vacc = ((logits > 0).float() == val[2]).float().mean().item()
    if epoch % 3 == 0 or epoch == 9:
        print(f"epoch {epoch} train_bce {tot / len(loader):.4f} val_bce {vloss:.4f} val_acc {vacc:.3f}")

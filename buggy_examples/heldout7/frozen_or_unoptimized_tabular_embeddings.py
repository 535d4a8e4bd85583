"""Entity-embedding MLP for a synthetic store-sales table (3 categorical + 4 numeric columns).

Seeded bug (frozen_or_unoptimized): the optimizer is built from explicit parameter
groups for discriminative learning rates (bn_num, layers, head) and the
nn.ModuleList of embedding tables is left out. The embeddings receive gradients on
every backward pass but are never updated, so they stay at their tiny
(std=0.01) initial values and the store/item/weekday effects cannot be learned.

Measured (8 epochs, 320 steps): final valid_mse 1.296, train_mse 1.291 (valid target
variance 2.91). The fixed copy (embedding parameters added to the first group) reaches
valid_mse 0.020, train_mse 0.071.
"""
# traindebug-expect: frozen_or_unoptimized
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

# ---------------------------------------------------------------------------
# synthetic "store sales" table: 3 categorical columns + 4 numeric columns
# ---------------------------------------------------------------------------
N_STORES, N_ITEMS, N_DOW = 40, 25, 7
n = 6000
rng = np.random.default_rng(0)
store = rng.integers(0, N_STORES, n)
item = rng.integers(0, N_ITEMS, n)
dow = rng.integers(0, N_DOW, n)
num = rng.normal(size=(n, 4)).astype(np.float32)

store_eff = rng.normal(0, 1.0, N_STORES)
item_eff = rng.normal(0, 1.0, N_ITEMS)
dow_eff = np.array([0.2, 0.0, -0.1, 0.0, 0.3, 0.9, 0.7])
y = (store_eff[store] + item_eff[item] + dow_eff[dow]
     + 0.5 * num[:, 0] - 0.3 * num[:, 1] * num[:, 2]
     + 0.1 * rng.normal(size=n)).astype(np.float32)

cats = np.stack([store, item, dow], 1).astype(np.int64)
idx = rng.permutation(n)
tr, va = idx[:5000], idx[5000:]


class SalesDataset(Dataset):
    def __init__(self, cats, num, y):
        self.cats = torch.from_numpy(cats)
        self.num = torch.from_numpy(num)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.cats[i], self.num[i], self.y[i]


def emb_size(card):
    return min(16, (card + 1) // 2)


class TabularModel(nn.Module):
    def __init__(self, cardinalities, n_num, hidden=(128, 64), p=0.05):
        super().__init__()
        self.embeds = nn.ModuleList([nn.Embedding(c, emb_size(c)) for c in cardinalities])
        for e in self.embeds:
            # fastai-style small init for the embedding tables
            nn.init.trunc_normal_(e.weight, std=0.01)
        self.bn_num = nn.BatchNorm1d(n_num)
        n_in = sum(emb_size(c) for c in cardinalities) + n_num
        layers = []
        for h in hidden:
            layers += [nn.Linear(n_in, h), nn.ReLU(), nn.BatchNorm1d(h), nn.Dropout(p)]
            n_in = h
        self.layers = nn.Sequential(*layers)
        self.head = nn.Linear(n_in, 1)

    def forward(self, x_cat, x_num):
        e = torch.cat([emb(x_cat[:, i]) for i, emb in enumerate(self.embeds)], dim=1)
        x = torch.cat([e, self.bn_num(x_num)], dim=1)
        return self.head(self.layers(x)).squeeze(-1)


train_dl = DataLoader(SalesDataset(cats[tr], num[tr], y[tr]), batch_size=128, shuffle=True)
valid_dl = DataLoader(SalesDataset(cats[va], num[va], y[va]), batch_size=512)

model = TabularModel([N_STORES, N_ITEMS, N_DOW], n_num=4)

# discriminative learning rates: body a bit slower than the head
optimizer = torch.optim.AdamW([
    {"params": model.bn_num.parameters(), "lr": 3e-3},
    {"params": model.layers.parameters(), "lr": 3e-3},
    {"params": model.head.parameters(), "lr": 1e-2},
], weight_decay=1e-4)
epochs = 8
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=[3e-3, 3e-3, 1e-2], total_steps=epochs * len(train_dl))
loss_fn = nn.MSELoss()

for epoch in range(epochs):
    model.train()
    tot, cnt = 0.0, 0
    for xc, xn, yb in train_dl:
        pred = model(xc, xn)
        loss = loss_fn(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        tot += loss.item() * len(yb)
        cnt += len(yb)
    model.eval()
    with torch.no_grad():
        vl = sum(loss_fn(model(xc, xn), yb).item() * len(yb) for xc, xn, yb in valid_dl) / len(va)
    print(f"epoch {epoch+1}: train_mse={tot/cnt:.4f} valid_mse={vl:.4f}")

print(f"target variance (valid): {y[va].var():.4f}")

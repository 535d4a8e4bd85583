"""Wine classifier with two synthetic categorical columns (entity embeddings +
numeric features -> 2 SiLU layers), custom Dataset/DataLoader, SGD+momentum,
early-stopping callback.

Seeded bug (symmetric_init): the `_init` hook applied with model.apply() zeroes
the weights (and biases) of *every* nn.Linear, meant only as a zero-init for the
output head.  All hidden units of fc1/fc2 are identical (all-zero rows), SiLU(0)=0
gives all-zero hidden activations, so the hidden weights and the head weight
never get a non-zero or unit-distinguishing gradient; only the head bias learns
the class prior and the loss stays at chance level.
Measured (40 epochs, 360 steps): buggy train loss 1.093 (ln 3 = 1.099), train
acc 0.384, val acc 0.450; fixed (xavier_uniform_ for the hidden layers) train
acc 1.000, val acc 0.975, early stop at epoch 19.
"""
# traindebug-expect: symmetric_init
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
from sklearn.datasets import load_wine

torch.manual_seed(5)
rng = np.random.default_rng(5)

# wine features + two synthetic categorical columns (vineyard, cask type)
Xnum, y = load_wine(return_X_y=True)
Xnum = (Xnum - Xnum.mean(0)) / Xnum.std(0)
vineyard = (y * 4 + rng.integers(0, 4, len(y))) % 12
cask = rng.integers(0, 5, len(y))


class WineTable(Dataset):
    def __init__(self, idx):
        self.num = torch.tensor(Xnum[idx], dtype=torch.float32)
        self.cat = torch.tensor(np.stack([vineyard[idx], cask[idx]], 1))
        self.y = torch.tensor(y[idx])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.num[i], self.cat[i], self.y[i]


class TabularNet(nn.Module):
    def __init__(self, n_num, cards, emb_dim=4, hidden=48, n_classes=3):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, emb_dim) for c in cards)
        d = n_num + emb_dim * len(cards)
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, n_classes)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.5)
        elif isinstance(m, nn.Linear):
            # start from the zero function (stable first steps); the randomly
            # initialised embeddings provide the variation between samples
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, num, cat):
        e = [emb(cat[:, j]) for j, emb in enumerate(self.embs)]
        h = torch.cat([num] + e, 1)
        h = F.silu(self.fc1(h))
        h = F.silu(self.fc2(h))
        return self.head(h)


class EarlyStopping:
    def __init__(self, patience=10):
        self.best, self.wait, self.patience = float("inf"), 0, patience

    def __call__(self, val):
        if val < self.best - 1e-4:
            self.best, self.wait = val, 0
        else:
            self.wait += 1
        return self.wait >= self.patience


perm = rng.permutation(len(y))
tr_dl = DataLoader(WineTable(perm[:138]), batch_size=16, shuffle=True)
va_ds = WineTable(perm[138:])
model = TabularNet(Xnum.shape[1], cards=[12, 5])
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
stopper = EarlyStopping(patience=15)

step = 0
for epoch in range(40):
    model.train()
    tot = 0.0
    for num, cat, yb in tr_dl:
        loss = F.cross_entropy(model(num, cat), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(yb)
        step += 1
    model.eval()
    with torch.no_grad():
        lv = model(va_ds.num, va_ds.cat)
        vloss = F.cross_entropy(lv, va_ds.y).item()
        vacc = (lv.argmax(1) == va_ds.y).float().mean().item()
    if epoch % 8 == 0:
        print(f"epoch {epoch:2d} step {step:3d} train_loss {tot / len(tr_dl.dataset):.4f} val_loss {vloss:.4f} val_acc {vacc:.3f}")
    if stopper(vloss):
        print(f"early stop at epoch {epoch}")
        break
with torch.no_grad():
    tacc = (model(tr_dl.dataset.num, tr_dl.dataset.cat).argmax(1) == tr_dl.dataset.y).float().mean().item()
print(f"final step {step} train_acc {tacc:.3f} val_acc {vacc:.3f} val_loss {vloss:.4f}")

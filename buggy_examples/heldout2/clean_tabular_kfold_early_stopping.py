"""clean: a dataclass-configured 3-fold cross-validation of a tabular model
with a categorical embedding and standardised numeric columns, early
stopping on the validation loss (patience 3) that ends each fold early, and
a fresh model and optimizer per fold."""
# traindebug-expect: clean
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.model_selection import KFold
from torch import nn


@dataclass
class Config:
    folds: int = 3
    lr: float = 2e-3
    batch: int = 128
    max_epochs: int = 30
    patience: int = 3


class Model(nn.Module):
    def __init__(self, n_cat, d_num):
        super().__init__()
        self.cat = nn.Embedding(n_cat, 4)
        self.net = nn.Sequential(nn.Linear(4 + d_num, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, c, x):
        return self.net(torch.cat([self.cat(c), x], 1)).squeeze(1)


cfg = Config()
rng = np.random.default_rng(0)
n = 3000
cat = rng.integers(0, 12, n)
num = rng.normal(0, 1, (n, 5)).astype(np.float32)
logit = rng.normal(0, 1, 12)[cat] + 1.5 * num[:, 0] - num[:, 1] + 0.5 * num[:, 2] * num[:, 3]
label = (logit + rng.logistic(0, 1, n) > 0).astype(np.float32)
c, x, t = torch.tensor(cat), torch.tensor(num), torch.tensor(label)
for fold, (tr, va) in enumerate(KFold(cfg.folds, shuffle=True, random_state=0).split(x)):
    torch.manual_seed(fold)
    tr, va = torch.as_tensor(tr), torch.as_tensor(va)
    model = Model(12, 5)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    best, wait = float("inf"), 0
    for epoch in range(cfg.max_epochs):
        model.train()
        perm = tr[torch.randperm(len(tr))]
        for i in range(0, len(perm), cfg.batch):
            b = perm[i : i + cfg.batch]
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(c[b], x[b]), t[b])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val = nn.functional.binary_cross_entropy_with_logits(model(c[va], x[va]), t[va]).item()
        if val < best - 1e-4:
            best, wait = val, 0
        else:
            wait += 1
            if wait >= cfg.patience:
                break
    print(f"fold {fold} epochs {epoch + 1} best val {best:.3f}")

"""Tabular churn-style model: embeddings for three categorical columns plus numeric
features, MLP head, binary cross-entropy, dataclass config.

Seeded bug: Config.weight_decay = 0.05 passed to torch.optim.Adam (coupled L2, added to
the gradient before Adam's normalisation). For this model the decay term dominates the
gradient of the data loss, so the embeddings and weights are pinned close to zero and
the model cannot express the category effects.

Measured (seed 11, 304 Adam steps, 1200 validation rows): val BCE 0.558, val accuracy
0.740. Fixed copy (weight_decay=1e-5, nothing else changed): val BCE 0.392, val accuracy
0.822. (At weight_decay=0.3 it collapses fully to BCE 0.693 / chance accuracy.)
"""
# traindebug-expect: over_regularization
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


@dataclass
class Config:
    seed: int = 11
    n_rows: int = 6000
    cat_cardinalities: tuple = (14, 8, 40)
    n_numeric: int = 6
    emb_dim: int = 8
    hidden: tuple = (64, 32)
    dropout: float = 0.1
    batch_size: int = 128
    epochs: int = 8
    lr: float = 2e-3
    weight_decay: float = 0.05
    log_every: int = 50
    extra: dict = field(default_factory=dict)


def make_churn_table(cfg):
    rng = np.random.default_rng(cfg.seed)
    cats = np.stack([rng.integers(0, c, cfg.n_rows) for c in cfg.cat_cardinalities], axis=1)
    nums = rng.normal(size=(cfg.n_rows, cfg.n_numeric)).astype(np.float32)
    effects = [rng.normal(0, 1.2, size=c) for c in cfg.cat_cardinalities]
    logit = sum(effects[j][cats[:, j]] for j in range(len(effects)))
    logit += 1.5 * nums[:, 0] - 1.0 * nums[:, 1] * nums[:, 2] + 0.8 * np.tanh(nums[:, 3])
    prob = 1 / (1 + np.exp(-(logit - np.median(logit))))
    y = (rng.uniform(size=cfg.n_rows) < prob).astype(np.float32)
    return cats.astype(np.int64), nums, y


class TableDataset(Dataset):
    def __init__(self, cats, nums, y):
        self.cats = torch.from_numpy(cats)
        self.nums = torch.from_numpy(nums)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.cats[i], self.nums[i], self.y[i]


class EmbeddingMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, cfg.emb_dim) for c in cfg.cat_cardinalities)
        d_in = cfg.emb_dim * len(cfg.cat_cardinalities) + cfg.n_numeric
        layers = []
        for h in cfg.hidden:
            layers += [nn.Linear(d_in, h), nn.ReLU(), nn.Dropout(cfg.dropout)]
            d_in = h
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(d_in, 1)

    def forward(self, cats, nums):
        e = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        h = torch.cat(e + [nums], dim=1)
        return self.out(self.body(h)).squeeze(1)


def run(cfg):
    torch.manual_seed(cfg.seed)
    cats, nums, y = make_churn_table(cfg)
    n_tr = int(0.8 * len(y))
    tr = TableDataset(cats[:n_tr], nums[:n_tr], y[:n_tr])
    va = TableDataset(cats[n_tr:], nums[n_tr:], y[n_tr:])
    tr_dl = DataLoader(tr, batch_size=cfg.batch_size, shuffle=True)
    va_dl = DataLoader(va, batch_size=1024)

    model = EmbeddingMLP(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        for c, x, t in tr_dl:
            loss = F.binary_cross_entropy_with_logits(model(c, x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % cfg.log_every == 0:
                print(f"step {step:4d}  train_bce {loss.item():.4f}")
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(c, x) for c, x, _ in va_dl])
            va_loss = F.binary_cross_entropy_with_logits(logits, va.y).item()
            va_acc = ((logits > 0).float() == va.y).float().mean().item()
        print(f"epoch {epoch + 1}: val_bce={va_loss:.4f} val_acc={va_acc:.3f}")
    return va_loss, va_acc


if __name__ == "__main__":
    cfg = Config()
    va_loss, va_acc = run(cfg)
    print(f"done: val_bce={va_loss:.4f} val_acc={va_acc:.3f}")

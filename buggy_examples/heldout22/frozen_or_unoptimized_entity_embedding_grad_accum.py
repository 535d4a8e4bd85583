"""Seeded bug (frozen_or_unoptimized): gradient accumulation is sized from the config as
effective_batch // micro_batch = 1024 // 64 = 16 micro-batches, but the training split
(960 rows, drop_last) only yields 15 micro-batches per epoch and the counter restarts
every epoch, so `(i + 1) % accum_steps == 0` is never true: gradients are computed on
every micro-batch (450 backward passes) but opt.step() is never called.
Measured (30 epochs): train MSE 1.0290 and val MSE 0.8946 at every epoch, parameters
unchanged. With effective_batch=128 (accum 2, 210 Adagrad steps) the same script reaches
train MSE 0.0060, val MSE 0.0109.
"""
# traindebug-expect: frozen_or_unoptimized
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


@dataclass
class Config:
    n_rows: int = 1280
    val_frac: float = 0.25
    cat_cardinalities: tuple = (30, 7, 12)   # store, weekday, month
    emb_dims: tuple = (8, 3, 4)
    n_numeric: int = 5
    micro_batch: int = 64
    effective_batch: int = 1024
    epochs: int = 30
    lr: float = 0.05
    seed: int = 17
    hidden: list = field(default_factory=lambda: [64, 32])


def make_sales_table(cfg):
    rng = np.random.default_rng(cfg.seed)
    n = cfg.n_rows
    cats = np.stack([rng.integers(0, c, n) for c in cfg.cat_cardinalities], 1)
    num = rng.normal(size=(n, cfg.n_numeric)).astype(np.float32)
    store_eff = rng.normal(0, 1.0, cfg.cat_cardinalities[0])
    wday_eff = np.array([0.2, 0.1, 0.0, 0.1, 0.5, 1.2, 0.9])
    month_eff = np.sin(np.arange(12) / 12 * 2 * np.pi)
    y = (store_eff[cats[:, 0]] + wday_eff[cats[:, 1]] + 0.6 * month_eff[cats[:, 2]]
         + 0.8 * num[:, 0] - 0.5 * num[:, 1] * num[:, 2] + 0.1 * rng.normal(size=n))
    y = (y - y.mean()) / y.std()
    return cats, num, y.astype(np.float32)


class SalesDataset(Dataset):
    def __init__(self, cats, num, y):
        self.cats = torch.as_tensor(cats, dtype=torch.long)
        self.num = torch.as_tensor(num)
        self.y = torch.as_tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.cats[i], self.num[i], self.y[i]


class EntityEmbeddingNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, d) for c, d in zip(cfg.cat_cardinalities, cfg.emb_dims))
        d_in = sum(cfg.emb_dims) + cfg.n_numeric
        layers = []
        for h in cfg.hidden:
            layers += [nn.Linear(d_in, h), nn.SiLU()]
            d_in = h
        layers.append(nn.Linear(d_in, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, cats, num):
        parts = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(parts + [num], dim=1)).squeeze(-1)


def run(cfg):
    torch.manual_seed(cfg.seed)
    cats, num, y = make_sales_table(cfg)
    n_val = int(cfg.n_rows * cfg.val_frac)
    train = SalesDataset(cats[n_val:], num[n_val:], y[n_val:])
    val = SalesDataset(cats[:n_val], num[:n_val], y[:n_val])
    loader = DataLoader(train, batch_size=cfg.micro_batch, shuffle=True, drop_last=True,
                        generator=torch.Generator().manual_seed(cfg.seed))
    model = EntityEmbeddingNet(cfg)
    opt = torch.optim.Adagrad(model.parameters(), lr=cfg.lr)
    loss_fn = nn.MSELoss()
    accum_steps = max(1, cfg.effective_batch // cfg.micro_batch)

    for epoch in range(cfg.epochs):
        model.train()
        opt.zero_grad()
        running = 0.0
        for i, (c, x, t) in enumerate(loader):
            loss = loss_fn(model(c, x), t)
            (loss / accum_steps).backward()
            running += loss.item()
            if (i + 1) % accum_steps == 0:
                opt.step()
                opt.zero_grad()
        model.eval()
        with torch.no_grad():
            val_mse = loss_fn(model(val.cats, val.num), val.y).item()
        if epoch % 5 == 0 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch + 1:2d}  train_mse {running / len(loader):.4f}  val_mse {val_mse:.4f}")


if __name__ == "__main__":
    run(Config())

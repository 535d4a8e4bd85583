"""
Seeded bug: the AdamW parameter groups are built with two name/shape filters
("decay" = weight matrices outside the embedding tables, "no_decay" = biases
and norm parameters).  The categorical embedding tables match neither filter,
so they are never handed to the optimizer: they receive gradients on every
backward pass but stay at their random initialisation for the whole run.

Measured (seed 0, 304 AdamW steps): with the bug the final epoch reaches
train loss 0.428 / val loss 0.508 / val accuracy 0.756; with the embedding
tables included in the optimizer the same run reaches train loss 0.110 /
val loss 0.175 / val accuracy 0.922.
"""
# traindebug-expect: frozen_or_unoptimized
import math
import random
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler


@dataclass
class Config:
    n_rows: int = 6000
    cat_cardinalities: tuple = (60, 40, 25)
    emb_dim: int = 4
    n_numeric: int = 6
    hidden: int = 64
    batch_size: int = 128
    epochs: int = 8
    lr: float = 1e-2
    weight_decay: float = 1e-2
    seed: int = 0
    val_frac: float = 0.2
    no_decay_keys: list = field(default_factory=lambda: ["bias", "norm"])


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_table(cfg):
    rng = np.random.default_rng(cfg.seed)
    cats = np.stack([rng.integers(0, c, cfg.n_rows) for c in cfg.cat_cardinalities], 1)
    nums = rng.normal(size=(cfg.n_rows, cfg.n_numeric)).astype(np.float32)
    # each category level carries its own (hidden) effect on the outcome
    effects = [rng.normal(0, 2.0, size=c) for c in cfg.cat_cardinalities]
    w_num = rng.normal(0, 0.5, size=cfg.n_numeric)
    logit = nums @ w_num
    for j, eff in enumerate(effects):
        logit = logit + eff[cats[:, j]]
    logit = logit + 0.3 * effects[0][cats[:, 0]] * effects[1][cats[:, 1]]
    y = (logit + rng.normal(0, 0.3, cfg.n_rows) > np.median(logit)).astype(np.int64)
    return cats.astype(np.int64), nums, y


class TabularDataset(Dataset):
    def __init__(self, cats, nums, y):
        self.cats = torch.as_tensor(cats)
        self.nums = torch.as_tensor(nums)
        self.y = torch.as_tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        # idx is a list of row indices (batched sampler, see make_loader)
        return self.cats[idx], self.nums[idx], self.y[idx]


def make_loader(ds, batch_size, shuffle):
    base = RandomSampler(ds) if shuffle else SequentialSampler(ds)
    return DataLoader(ds, sampler=BatchSampler(base, batch_size, drop_last=False), batch_size=None)


class TabularNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = nn.ModuleList(
            [nn.Embedding(c, cfg.emb_dim) for c in cfg.cat_cardinalities]
        )
        d_in = cfg.emb_dim * len(cfg.cat_cardinalities) + cfg.n_numeric
        self.num_norm = nn.LayerNorm(cfg.n_numeric)
        self.fc1 = nn.Linear(d_in, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, cfg.hidden)
        self.out = nn.Linear(cfg.hidden, 2)

    def forward(self, cats, nums):
        embs = [emb(cats[:, j]) for j, emb in enumerate(self.embeddings)]
        h = torch.cat(embs + [self.num_norm(nums)], dim=1)
        h = F.gelu(self.fc1(h))
        h = F.gelu(self.fc2(h))
        return self.out(h)


def build_param_groups(model, cfg):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if any(k in name for k in cfg.no_decay_keys):
            no_decay.append(p)
        elif p.ndim == 2 and not name.startswith("embeddings"):
            decay.append(p)
    return [
        {"params": decay, "weight_decay": cfg.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for cats, nums, y in loader:
            logits = model(cats, nums)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return loss_sum / total, correct / total


def main():
    cfg = Config()
    seed_everything(cfg.seed)
    torch.set_num_threads(1)
    cats, nums, y = make_table(cfg)
    n_val = int(cfg.val_frac * len(y))
    perm = np.random.permutation(len(y))
    va, tr = perm[:n_val], perm[n_val:]
    train_dl = make_loader(TabularDataset(cats[tr], nums[tr], y[tr]), cfg.batch_size, shuffle=True)
    val_dl = make_loader(TabularDataset(cats[va], nums[va], y[va]), 512, shuffle=False)

    model = TabularNet(cfg)
    opt = torch.optim.AdamW(build_param_groups(model, cfg), lr=cfg.lr)
    total_steps = cfg.epochs * len(train_dl)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps))
    )

    step = 0
    for epoch in range(cfg.epochs):
        running = 0.0
        for cats_b, nums_b, y_b in train_dl:
            logits = model(cats_b, nums_b)
            loss = F.cross_entropy(logits, y_b)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item()
            step += 1
        val_loss, val_acc = evaluate(model, val_dl)
        print(f"epoch {epoch + 1}  train_loss {running / len(train_dl):.3f}  "
              f"val_loss {val_loss:.3f}  val_acc {val_acc:.3f}")
    print(f"done after {step} steps")


if __name__ == "__main__":
    main()

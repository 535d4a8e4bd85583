"""Clean control. Tabular 3-class classifier with categorical embeddings + standardised numeric
features (dataclass config), Adamax, CrossEntropyLoss(label_smoothing=0.2) for training and
gradient-norm clipping at 1.0.

Pattern that may fool a naive detector: the training loss plateaus around 0.71 and never gets
near zero, because with smoothing 0.2 over 3 classes the target distribution itself has entropy
0.485 (the loss floor). The unsmoothed validation NLL is much lower than the training loss.
Clipping at 1.0 is a sane safety net and is never active in this run.

Measured (5 epochs, 250 steps): smoothed train loss 0.913 -> 0.747 -> 0.730 -> 0.720 -> 0.713,
val NLL 0.613 -> 0.473, val acc 0.80 -> 0.84 (labels carry Gumbel noise), clipped steps 0.
"""
# traindebug-expect: clean
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


@dataclass
class Cfg:
    n_rows: int = 6000
    cat_cardinalities: tuple = (12, 7, 30, 5)
    n_numeric: int = 6
    emb_dim: int = 8
    hidden: int = 96
    n_classes: int = 3
    smoothing: float = 0.2
    clip_norm: float = 1.0
    lr: float = 2e-3
    batch_size: int = 96
    epochs: int = 5
    seed: int = 21


def make_table(cfg, rng):
    cats = np.stack([rng.integers(0, c, cfg.n_rows) for c in cfg.cat_cardinalities], 1)
    nums = rng.standard_normal((cfg.n_rows, cfg.n_numeric)).astype(np.float32)
    effects = [rng.normal(0, 1.2, (c, cfg.n_classes)) for c in cfg.cat_cardinalities]
    w = rng.normal(0, 1.0, (cfg.n_numeric, cfg.n_classes))
    score = nums @ w + sum(e[cats[:, j]] for j, e in enumerate(effects))
    score += 0.8 * np.sin(2 * nums[:, :1]) * np.array([[1.0, -1.0, 0.0]])
    y = (score + rng.gumbel(size=score.shape) * 0.3).argmax(1)
    return cats, nums, y


class TableDS(Dataset):
    def __init__(self, cats, nums, y):
        self.cats = torch.as_tensor(cats, dtype=torch.long)
        self.nums = torch.as_tensor(nums, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.cats[i], self.nums[i], self.y[i]


class EmbMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, cfg.emb_dim) for c in cfg.cat_cardinalities)
        d_in = cfg.emb_dim * len(cfg.cat_cardinalities) + cfg.n_numeric
        self.net = nn.Sequential(
            nn.Linear(d_in, cfg.hidden), nn.SiLU(), nn.Dropout(0.1),
            nn.Linear(cfg.hidden, cfg.hidden), nn.SiLU(),
            nn.Linear(cfg.hidden, cfg.n_classes),
        )

    def forward(self, cats, nums):
        e = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        return self.net(torch.cat(e + [nums], dim=1))


def main(cfg=Cfg()):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    cats, nums, y = make_table(cfg, rng)
    n_tr = int(0.8 * cfg.n_rows)
    mu, sd = nums[:n_tr].mean(0), nums[:n_tr].std(0)
    nums = (nums - mu) / sd
    train_dl = DataLoader(TableDS(cats[:n_tr], nums[:n_tr], y[:n_tr]), batch_size=cfg.batch_size,
                          shuffle=True, generator=torch.Generator().manual_seed(cfg.seed))
    val_dl = DataLoader(TableDS(cats[n_tr:], nums[n_tr:], y[n_tr:]), batch_size=1000)

    model = EmbMLP(cfg)
    opt = torch.optim.Adamax(model.parameters(), lr=cfg.lr)
    train_loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.smoothing)
    eval_loss_fn = nn.CrossEntropyLoss()
    step, clipped = 0, 0
    for epoch in range(cfg.epochs):
        model.train()
        run = []
        for c, x, t in train_dl:
            loss = train_loss_fn(model(c, x), t)
            opt.zero_grad()
            loss.backward()
            gn = nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
            clipped += int(gn > cfg.clip_norm)
            opt.step()
            step += 1
            run.append(loss.item())
        model.eval()
        with torch.no_grad():
            c, x, t = next(iter(val_dl))
            logits = model(c, x)
            vl = eval_loss_fn(logits, t).item()
            acc = (logits.argmax(1) == t).float().mean().item()
        print(f"epoch {epoch} step {step} smoothed_train_loss {np.mean(run):.4f} "
              f"val_nll {vl:.4f} val_acc {acc:.3f} clipped_steps {clipped}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

"""Additive tabular model (one small MLP per column, NAM-style) on breast-cancer data,
all column MLPs evaluated at once with batched weights (baddbmm/bmm).

Seeded bug (batch_mixing): the (B, F) input is turned into per-column batches with
`x.reshape(F, B, 1)` instead of `x.t().unsqueeze(-1)`. reshape keeps memory order, so
"column" j's batch is a run of consecutive values of the row-major matrix, i.e. values
from several different samples and features; each sample's logit depends on other
samples in the batch.

Measured (30 epochs, 180 steps): buggy train BCE 0.78 -> 0.69, test BCE 0.657, test acc
0.655 (majority class ~0.63); fixed copy train BCE 0.076 -> 0.037, test BCE 0.093,
test acc 0.965.
"""
# traindebug-expect: batch_mixing
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import QuantileTransformer

torch.set_num_threads(1)


@dataclass
class Config:
    hidden: int = 16
    lr: float = 3e-3
    weight_decay: float = 1e-5
    epochs: int = 30
    batch_size: int = 64
    seed: int = 0


class FeatureNets(nn.Module):
    """One tiny MLP per input column, evaluated for all columns at once with batched
    weights; the per-column contributions are added up (additive model)."""

    def __init__(self, n_features, hidden):
        super().__init__()
        self.n_features = n_features
        self.w1 = nn.Parameter(torch.randn(n_features, 1, hidden) * 1.0)
        self.b1 = nn.Parameter(torch.randn(n_features, 1, hidden) * 0.5)
        self.w2 = nn.Parameter(torch.randn(n_features, hidden, hidden) / hidden ** 0.5)
        self.b2 = nn.Parameter(torch.zeros(n_features, 1, hidden))
        self.w3 = nn.Parameter(torch.randn(n_features, hidden, 1) / hidden ** 0.5)
        self.bias = nn.Parameter(torch.zeros(1))

    def contributions(self, x):
        B = x.shape[0]
        cols = x.reshape(self.n_features, B, 1)           # (F, B, 1): one "batch" per column
        h = F.silu(torch.baddbmm(self.b1, cols, self.w1))   # (F, B, H)
        h = F.silu(torch.baddbmm(self.b2, h, self.w2))      # (F, B, H)
        return torch.bmm(h, self.w3).squeeze(-1).t()      # (B, F)

    def forward(self, x):
        return self.contributions(x).sum(dim=1) + self.bias


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=cfg.seed, stratify=y)
    qt = QuantileTransformer(n_quantiles=200, output_distribution="normal", random_state=0).fit(Xtr)
    Xtr = torch.tensor(qt.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(qt.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr, dtype=torch.float32)
    yte = torch.tensor(yte, dtype=torch.float32)

    model = FeatureNets(X.shape[1], cfg.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    n = len(Xtr)
    for ep in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        losses = []
        for i in range(0, n - cfg.batch_size + 1, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if ep % 5 == 4:
            model.eval()
            with torch.no_grad():
                logit = model(Xte)
                te_loss = F.binary_cross_entropy_with_logits(logit, yte).item()
                acc = ((logit > 0).float() == yte).float().mean().item()
            print(f"epoch {ep + 1:3d}  train_bce {np.mean(losses):.4f}  test_bce {te_loss:.4f}  test_acc {acc:.3f}")
    return acc


if __name__ == "__main__":
    main()

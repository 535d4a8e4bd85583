"""Deep pre-norm residual MLP (12 LayerNorm -> Linear -> GELU -> Linear blocks, final
LayerNorm) for tabular regression (Friedman #1), AdamW, dataclass config.

Seeded bug: Config.init_std = 1.0 is used as the absolute std of every Linear weight
(GPT-style init expects ~0.02 or 1/sqrt(fan_in)). Pre-activations of the first block have
std 7.9, the residual stream reaches std 226 after 12 blocks and the output head produces
std 3.5 on standardised targets.

Measured at step 0: MSE 10.5 on standardised targets (a near-zero init gives 1.16); first
epoch mean train MSE 4.03. Final test MSE 0.312 after 150 steps, versus 0.0635 with
init_std = 0.02 (fixed copy).
"""
# traindebug-expect: bad_init_scale
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


@dataclass
class Config:
    n_samples: int = 2400
    n_features: int = 10
    width: int = 64
    expansion: int = 2
    depth: int = 12
    init_std: float = 1.0
    lr: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 128
    epochs: int = 10
    seed: int = 0


class PreNormBlock(nn.Module):
    def __init__(self, width, expansion):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width * expansion)
        self.fc2 = nn.Linear(width * expansion, width)
        self.act = nn.GELU()

    def branch(self, h):
        return self.fc2(self.act(self.fc1(h)))

    def forward(self, x):
        return x + self.branch(self.norm(x))


class ResidualMLP(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.stem = nn.Linear(cfg.n_features, cfg.width)
        self.blocks = nn.Sequential(*[PreNormBlock(cfg.width, cfg.expansion) for _ in range(cfg.depth)])
        self.final_norm = nn.LayerNorm(cfg.width)
        self.head = nn.Linear(cfg.width, 1)
        self.init_std = cfg.init_std
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=self.init_std)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.final_norm(self.blocks(self.stem(x)))).squeeze(-1)


def run(cfg: Config):
    torch.manual_seed(cfg.seed)
    X, y = make_friedman1(n_samples=cfg.n_samples, n_features=cfg.n_features, noise=0.5, random_state=cfg.seed)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed)
    xs = StandardScaler().fit(Xtr)
    y_mu, y_sd = ytr.mean(), ytr.std()
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    Xtr, Xte = to_t(xs.transform(Xtr)), to_t(xs.transform(Xte))
    ytr, yte = to_t((ytr - y_mu) / y_sd), to_t((yte - y_mu) / y_sd)

    model = ResidualMLP(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = nn.MSELoss()
    n_batches = math.ceil(len(Xtr) / cfg.batch_size)

    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot = 0.0
        for b in range(n_batches):
            idx = perm[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
        if epoch % 3 == 0 or epoch == cfg.epochs - 1:
            model.eval()
            with torch.no_grad():
                te = loss_fn(model(Xte), yte).item()
            print(f"epoch {epoch + 1:2d} train_mse {tot / n_batches:.4f} test_mse {te:.4f} "
                  f"(test_rmse {math.sqrt(te) * y_sd:.3f} in target units)")
    return te


if __name__ == "__main__":
    print(f"final test_mse {run(Config()):.4f}")

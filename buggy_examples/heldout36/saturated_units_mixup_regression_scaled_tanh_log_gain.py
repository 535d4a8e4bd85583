"""
Mixup regression on make_friedman1 (2000 samples, 10 features, standardised inputs and
targets): MLP with 3 hidden layers of 96 units and a learnable per-unit gain activation
tanh(g * x), g = exp(log_gain) kept positive. Mixup (alpha 0.2) on inputs and targets,
MSE, Adam lr 2e-3 with cosine annealing, batch 64, 12 epochs (288 steps), dataclass config.

Seeded bug: the gain is parametrised in log space but the config value gain_init=4.0 (meant
as the gain itself, or at least as something small) is written straight into log_gain,
so every unit starts with g = e^4 = 55. Pre-activations of order 1 land deep in tanh's
flat regions (|tanh| > 0.99 for most inputs), so units behave like sign functions with
near-zero local derivative; the fit is piecewise-constant and the net generalises badly.
A realistic mistake when switching a parameter to a log parametrisation.

Measured (seed 0, 1 thread): buggy: final test MSE 0.271 (R^2 0.73), train MSE falls to
~0.07 while test stalls. Fixed copy (log_gain initialised to log(1.0) = 0): final test MSE
0.148 (R^2 0.85).
"""
# traindebug-expect: saturated_units
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@dataclass
class Config:
    hidden: int = 96
    depth: int = 3
    gain_init: float = 4.0
    mixup_alpha: float = 0.2
    lr: float = 2e-3
    batch_size: int = 64
    epochs: int = 12
    seed: int = 0


class ScaledTanh(nn.Module):
    """tanh(g * x) with a learnable, strictly positive per-unit gain g."""

    def __init__(self, dim, gain_init):
        super().__init__()
        self.log_gain = nn.Parameter(torch.full((dim,), gain_init))

    def forward(self, x):
        return torch.tanh(self.log_gain.exp() * x)


class Regressor(nn.Module):
    def __init__(self, d_in, cfg):
        super().__init__()
        layers, d = [], d_in
        for _ in range(cfg.depth):
            layers += [nn.Linear(d, cfg.hidden), ScaledTanh(cfg.hidden, cfg.gain_init)]
            d = cfg.hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def mixup(x, y, alpha):
    lam = float(np.random.beta(alpha, alpha))
    perm = torch.randperm(x.size(0))
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm]


def main(cfg=Config()):
    t0 = time.process_time()
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)

    X, y = make_friedman1(n_samples=2000, n_features=10, noise=0.3, random_state=cfg.seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=cfg.seed)
    xs = StandardScaler().fit(X_tr)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    X_tr = torch.tensor(xs.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(xs.transform(X_te), dtype=torch.float32)
    y_tr = torch.tensor((y_tr - y_mu) / y_sd, dtype=torch.float32)
    y_te = torch.tensor((y_te - y_mu) / y_sd, dtype=torch.float32)

    model = Regressor(X_tr.shape[1], cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs)

    n = len(X_tr)
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            xb, yb = mixup(X_tr[idx], y_tr[idx], cfg.mixup_alpha)
            loss = F.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        sched.step()
        model.eval()
        with torch.no_grad():
            te_mse = F.mse_loss(model(X_te), y_te).item()
        if epoch % 3 == 2 or epoch == 0:
            print(f"epoch {epoch:2d}  train mse {tot / n:.4f}  test mse {te_mse:.4f}  (standardised units)")
    print(f"final test mse {te_mse:.4f}  test R^2 {1 - te_mse:.3f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()

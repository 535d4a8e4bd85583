"""Quantile regression (0.1/0.5/0.9) of electric load with a pinball loss, dataclass config.

Seeded bug (over_regularization): weight_decay=0.05 is passed to torch.optim.Adam, where
it is a coupled L2 term added to the gradient. The pinball-loss gradients are small
(normalised target, loss ~0.1-0.3), so the decay term dominates every Adam update and
holds the weights near zero: the three quantile curves stay almost flat.
Measured (252 steps): train pinball (normalised) plateaus at 0.241, val pinball 4.90,
80% interval coverage 0.54. Fixed copy (weight_decay 0.0): train pinball 0.065,
val pinball 1.30, coverage 0.79.
"""
# traindebug-expect: over_regularization
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


@dataclass
class Config:
    quantiles: tuple = (0.1, 0.5, 0.9)
    n_train: int = 2000
    n_val: int = 500
    hidden: int = 64
    epochs: int = 12
    batch_size: int = 96
    lr: float = 2e-3
    weight_decay: float = 0.05
    seed: int = 11
    history: list = field(default_factory=list)


def make_load_data(n, rng):
    """Daily load vs temperature & hour: nonlinear mean, heteroscedastic noise."""
    temp = rng.uniform(-10, 35, n)
    hour = rng.integers(0, 24, n)
    base = 40 + 0.08 * (temp - 18) ** 2 + 12 * np.sin(2 * np.pi * (hour - 7) / 24)
    scale = 2 + 0.25 * np.abs(temp - 18)
    y = base + scale * rng.standard_normal(n)
    x = np.stack([(temp - 12.5) / 13, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)], 1)
    return x.astype(np.float32), y.astype(np.float32)


class QuantileMLP(nn.Module):
    def __init__(self, d_in, hidden, n_q):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, n_q))

    def forward(self, x):
        return self.net(x)


def pinball(pred, target, qs):
    diff = target.unsqueeze(1) - pred
    return torch.maximum(qs * diff, (qs - 1) * diff).mean()


def run(cfg: Config):
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    xtr, ytr = make_load_data(cfg.n_train, rng)
    xva, yva = make_load_data(cfg.n_val, rng)
    y_mu, y_sd = ytr.mean(), ytr.std()
    xtr, xva = torch.from_numpy(xtr), torch.from_numpy(xva)
    ytr_n = torch.from_numpy((ytr - y_mu) / y_sd)
    yva_t = torch.from_numpy(yva)
    qs = torch.tensor(cfg.quantiles)

    model = QuantileMLP(3, cfg.hidden, len(qs))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs)

    step = 0
    for ep in range(cfg.epochs):
        perm = torch.randperm(cfg.n_train)
        acc = 0.0
        for i in range(0, cfg.n_train, cfg.batch_size):
            b = perm[i:i + cfg.batch_size]
            loss = pinball(model(xtr[b]), ytr_n[b], qs)
            opt.zero_grad()
            loss.backward()
            opt.step()
            acc += loss.item() * len(b)
            step += 1
        sched.step()
        with torch.no_grad():
            pv = model(xva) * y_sd + y_mu
            val_pin = pinball(pv, yva_t, qs).item()
            cover = ((yva_t > pv[:, 0]) & (yva_t < pv[:, 2])).float().mean().item()
        cfg.history.append(val_pin)
        print(f"ep {ep:2d} step {step} train_pinball(norm) {acc / cfg.n_train:.4f} "
              f"val_pinball {val_pin:.3f} 80%-interval coverage {cover:.3f}")
    return cfg.history[-1]


if __name__ == "__main__":
    final = run(Config())
    print(f"final val pinball {final:.3f}")

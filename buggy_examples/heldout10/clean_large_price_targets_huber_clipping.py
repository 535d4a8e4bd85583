"""Healthy control: regression of synthetic property prices (targets from ~43,000 to
~970,000, mean ~275,000) with an MLP, AdamW, OneCycleLR, Huber loss and gradient
clipping.

Patterns that might fool a naive detector: the raw targets held in the tensors are
huge, and the standardisation (y - mean) / std happens inside the training loop rather
than in preprocessing; predictions are mapped back to currency units for evaluation.
clip_grad_norm_ is called every step with max_norm=5.0, a sane threshold that is never
actually reached, and the Huber delta of 1.0 is on the standardised scale.

Measured (seed 8, 329 steps): validation R^2 0.880 after epoch 1 -> 0.955 after epoch
7, validation RMSE 23,505 vs 110,321 for predicting the mean; 0 of 329 steps clipped.
"""
# traindebug-expect: clean
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


@dataclass
class RunConfig:
    seed: int = 8
    n_train: int = 3000
    n_val: int = 800
    batch_size: int = 64
    epochs: int = 7
    lr: float = 3e-3
    weight_decay: float = 1e-4
    huber_delta: float = 1.0
    clip_norm: float = 5.0


def make_property_sales(n, rng):
    """Synthetic property sales: price in currency units (hundreds of thousands)."""
    area = rng.lognormal(mean=4.6, sigma=0.35, size=n)            # m^2
    rooms = np.clip(np.round(area / 28 + rng.normal(0, 0.7, n)), 1, 9)
    age = rng.uniform(0, 80, n)
    dist = rng.gamma(2.0, 4.0, n)                                  # km to centre
    floor = rng.integers(0, 12, n).astype(float)
    lot = rng.lognormal(5.5, 0.6, n)
    price = (2600 * area * np.exp(-dist / 25) + 14_000 * rooms - 900 * age
             + 3_000 * np.sqrt(lot) + 2_500 * floor * (dist < 6))
    price *= rng.lognormal(0, 0.08, n)                             # multiplicative noise
    X = np.stack([area, rooms, age, dist, floor, np.log(lot)], axis=1)
    return X.astype(np.float32), price.astype(np.float32)


def main(cfg: RunConfig):
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    X, price = make_property_sales(cfg.n_train + cfg.n_val, rng)
    Xtr, Xva = X[:cfg.n_train], X[cfg.n_train:]
    ytr, yva = price[:cfg.n_train], price[cfg.n_train:]
    x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - x_mu) / x_sd, (Xva - x_mu) / x_sd
    print(f"price range in train: {ytr.min():,.0f} .. {ytr.max():,.0f} (mean {ytr.mean():,.0f})")

    Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
    ytr, yva = torch.from_numpy(ytr), torch.from_numpy(yva)
    y_mu, y_sd = ytr.mean(), ytr.std()

    model = nn.Sequential(nn.Linear(6, 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(cfg.n_train / cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, epochs=cfg.epochs,
                                                steps_per_epoch=steps_per_epoch)
    loss_fn = nn.HuberLoss(delta=cfg.huber_delta)

    n_clipped, n_steps = 0, 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        perm = torch.randperm(cfg.n_train)
        for i in range(0, cfg.n_train, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            target = (ytr[idx] - y_mu) / y_sd
            loss = loss_fn(model(Xtr[idx]).squeeze(1), target)
            opt.zero_grad()
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
            n_clipped += int(gnorm > cfg.clip_norm)
            opt.step()
            sched.step()
            n_steps += 1

        model.eval()
        with torch.no_grad():
            pred = model(Xva).squeeze(1) * y_sd + y_mu
            rmse = torch.sqrt(((pred - yva) ** 2).mean()).item()
            r2 = 1 - ((pred - yva) ** 2).sum().item() / ((yva - yva.mean()) ** 2).sum().item()
        print(f"epoch {epoch} last_batch_huber={loss.item():.4f} val_rmse={rmse:,.0f} val_r2={r2:.3f}")

    print(f"steps={n_steps} clipped_steps={n_clipped} baseline_rmse(predict mean)={yva.std().item():,.0f}")


if __name__ == "__main__":
    main(RunConfig())

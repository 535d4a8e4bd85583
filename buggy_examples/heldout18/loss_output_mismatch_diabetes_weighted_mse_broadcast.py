"""Diabetes progression regression (sklearn load_diabetes) with a hydra-style
nested config dict, a small residual MLP and RMSprop. The loss is a
hand-written robust weighted MSE: samples whose target lies far from the
training median are down-weighted.

Seeded bug (loss_output_mismatch): the regression head returns shape (B, 1)
while the targets and weights have shape (B,). In weighted_mse() the
difference pred - target silently broadcasts to a (B, B) matrix, so every
prediction is regressed onto every target in the batch. The minimiser of that
loss is the (weighted) batch mean, so the network collapses to predicting a
near-constant value; no error or warning is raised because the loss is
written by hand instead of with nn.MSELoss.
Measured (seed 0, 300 steps): buggy  train R^2 0.06, test R^2 0.04, test MSE 0.80 (std units);
                              fixed  train R^2 0.58, test R^2 0.31, test MSE 0.58 (std units).
"""
# traindebug-expect: loss_output_mismatch
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)

CONFIG = {
    "seed": 0,
    "data": {"test_size": 0.2, "batch_size": 32},
    "model": {"hidden": 32, "blocks": 1, "dropout": 0.2},
    "optim": {"name": "rmsprop", "lr": 5e-4, "alpha": 0.9, "weight_decay": 1e-3},
    "loss": {"robust_scale": 1.5},
    "trainer": {"epochs": 25, "log_every": 5},
}


def merge(base, overrides):
    out = copy.deepcopy(base)
    for key, val in overrides.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = type(node[leaf])(val)
    return out


class ResBlock(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.SiLU(), nn.Dropout(p), nn.Linear(d, d))

    def forward(self, x):
        return x + self.net(x)


class Regressor(nn.Module):
    def __init__(self, d_in, cfg):
        super().__init__()
        h = cfg["hidden"]
        self.inp = nn.Linear(d_in, h)
        self.blocks = nn.Sequential(*[ResBlock(h, cfg["dropout"]) for _ in range(cfg["blocks"])])
        self.out = nn.Linear(h, 1)

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


def robust_weights(y, median, scale):
    r = (y - median).abs() / scale
    return torch.where(r < 1.0, torch.ones_like(r), 1.0 / r)


def weighted_mse(pred, target, weight):
    return (weight * (pred - target) ** 2).sum() / weight.sum()


def r2(pred, y):
    return 1.0 - ((pred - y) ** 2).sum().item() / ((y - y.mean()) ** 2).sum().item()


def main(cfg):
    torch.manual_seed(cfg["seed"])
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=cfg["data"]["test_size"], random_state=cfg["seed"])
    mu, sd = Xtr.mean(0), Xtr.std(0)
    ymu, ysd = ytr.mean(), ytr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    Xtr, Xte = f((Xtr - mu) / sd), f((Xte - mu) / sd)
    ytr, yte = f((ytr - ymu) / ysd), f((yte - ymu) / ysd)
    median = ytr.median()

    model = Regressor(Xtr.shape[1], cfg["model"])
    oc = cfg["optim"]
    opt = torch.optim.RMSprop(model.parameters(), lr=oc["lr"], alpha=oc["alpha"], weight_decay=oc["weight_decay"])
    bs = cfg["data"]["batch_size"]
    g = torch.Generator().manual_seed(cfg["seed"])
    for epoch in range(cfg["trainer"]["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        running = 0.0
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            xb, yb = Xtr[idx], ytr[idx]
            w = robust_weights(yb, median, cfg["loss"]["robust_scale"])
            loss = weighted_mse(model(xb), yb, w)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
        if (epoch + 1) % cfg["trainer"]["log_every"] == 0:
            model.eval()
            with torch.no_grad():
                pte = model(Xte).squeeze(-1)
                ptr = model(Xtr).squeeze(-1)
            print(f"epoch {epoch + 1:2d} loss {running / len(Xtr):.4f} train R2 {r2(ptr, ytr):.3f} "
                  f"test R2 {r2(pte, yte):.3f} test MSE(std units) {((pte - yte) ** 2).mean().item():.3f}")


if __name__ == "__main__":
    main(merge(CONFIG, {}))

"""DeepSets classifier (phi per point -> mean pool -> rho) on generated 2-D point clouds
(circle / square outline / segment, random rotation and scale), dataclass config, Adam.

Seeded bug: DeepSets._init sets every Linear bias to the module-level constant BIAS_INIT = -1.0
(a "sparse activation" initialisation). Points have coordinates of order 1, so after the first
ReLU layers almost every hidden unit is negative for every point of every set; the pooled
representation is constant and rho's ReLUs are dead too.
Measured: train loss stuck at 1.0984-1.0987 (= ln 3) and test accuracy 0.338 (chance) for all
5 epochs (250 steps). Fixed copy (BIAS_INIT = 0.0): train loss 0.894 -> 0.429,
test accuracy 0.757-0.768.
"""
# traindebug-expect: dead_units
from dataclasses import dataclass
import math
import torch
import torch.nn as nn


@dataclass
class Config:
    n_train: int = 2400
    n_test: int = 600
    n_points: int = 32
    hidden: int = 64
    batch_size: int = 48
    epochs: int = 5
    lr: float = 2e-3
    seed: int = 11


def make_point_sets(n, n_points, gen):
    """3 shape classes in 2-D: circle, square outline, line segment; random pose."""
    labels = torch.randint(0, 3, (n,), generator=gen)
    t = torch.rand(n, n_points, generator=gen)
    pts = torch.zeros(n, n_points, 2)
    ang = 2 * math.pi * t
    circle = torch.stack([torch.cos(ang), torch.sin(ang)], -1)
    side = (t * 4).floor()
    u = (t * 4) - side
    sq = torch.stack([
        torch.where(side == 0, u * 2 - 1, torch.where(side == 1, torch.ones_like(u), torch.where(side == 2, 1 - 2 * u, -torch.ones_like(u)))),
        torch.where(side == 0, -torch.ones_like(u), torch.where(side == 1, u * 2 - 1, torch.where(side == 2, torch.ones_like(u), 1 - 2 * u))),
    ], -1)
    line = torch.stack([2 * t - 1, torch.zeros_like(t)], -1)
    pts[labels == 0] = circle[labels == 0]
    pts[labels == 1] = sq[labels == 1]
    pts[labels == 2] = line[labels == 2]
    theta = 2 * math.pi * torch.rand(n, generator=gen)
    R = torch.stack([torch.stack([theta.cos(), -theta.sin()], -1),
                     torch.stack([theta.sin(), theta.cos()], -1)], -2)
    scale = 0.7 + 0.6 * torch.rand(n, 1, 1, generator=gen)
    pts = scale * pts @ R.transpose(1, 2)
    pts = pts + 0.05 * torch.randn(pts.shape, generator=gen)
    return pts, labels


class DeepSets(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg.hidden
        self.phi = nn.Sequential(nn.Linear(2, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.rho = nn.Sequential(nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 3))
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                nn.init.constant_(m.bias, BIAS_INIT)

    def forward(self, pts):
        return self.rho(self.phi(pts).mean(dim=1))


BIAS_INIT = -1.0


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(-1) == y).float().mean().item()
    model.train()
    return acc


def run(cfg):
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    Xtr, ytr = make_point_sets(cfg.n_train, cfg.n_points, gen)
    Xte, yte = make_point_sets(cfg.n_test, cfg.n_points, gen)
    model = DeepSets(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = nn.CrossEntropyLoss()
    steps = 0
    for ep in range(cfg.epochs):
        perm = torch.randperm(cfg.n_train)
        tot = 0.0
        for i in range(0, cfg.n_train, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx); steps += 1
        print(f"epoch {ep}: train loss {tot / cfg.n_train:.4f}  test acc {evaluate(model, Xte, yte):.3f}")
    print(f"{steps} steps")


if __name__ == "__main__":
    run(Config())

"""
Denoising score matching on standardized two-moons (4000 train / 1000 test points): an
nn.Sequential SiLU MLP (3 -> 96 -> 96 -> 96 -> 2) takes (x, log sigma) and returns a score
divided by sigma; noise levels are drawn log-uniformly in [0.05, 1.0] and the loss is the
sigma^2-weighted DSM objective || sigma * s(x + sigma * eps) + eps ||^2. Adam, batch 256,
20 epochs (320 steps), dataclass config, annealed Langevin sampling at the end.

Seeded bug: the config follows the linear LR-scaling rule (base_lr 2e-3 is quoted for
base_batch_size 256), but the scaling line reads lr = cfg.base_lr * cfg.batch_size and drops
the division by base_batch_size, so Adam runs at lr = 0.512 instead of 2e-3. The first epoch
blows the loss up to ~1e6 (test DSM loss 1.5e4 after 16 steps) and the network never
recovers to a useful score field in the budget; Langevin samples land far from the moons.

Measured (seed 0, 1 thread): buggy: train DSM loss 1.4e6 (epoch 0) -> 2.40, final test DSM
loss 2.36, sample-to-data mean nearest-neighbour distance 1.76. Fixed copy (lr = 2e-3):
train DSM 1.82 -> 1.62, final test DSM loss 1.56, sample-to-data NN distance 0.133.
"""
# traindebug-expect: lr_too_high
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


@dataclass
class Config:
    n_train: int = 4000
    n_test: int = 1000
    batch_size: int = 256
    base_batch_size: int = 256
    base_lr: float = 2e-3
    epochs: int = 20
    sigma_min: float = 0.05
    sigma_max: float = 1.0


class ScoreNet(nn.Module):
    def __init__(self, hidden=96):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(3, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x, sigma):
        h = torch.cat([x, sigma.log()], dim=1)
        return self.net(h) / sigma


def dsm_loss(model, x, cfg):
    u = torch.rand(x.shape[0], 1)
    sigma = cfg.sigma_min * (cfg.sigma_max / cfg.sigma_min) ** u
    eps = torch.randn_like(x)
    score = model(x + sigma * eps, sigma)
    # sigma^2-weighted denoising score matching: || sigma * s(x~) + eps ||^2
    return ((sigma * score + eps) ** 2).sum(dim=1).mean()


def main():
    cfg = Config()
    X, _ = make_moons(cfg.n_train + cfg.n_test, noise=0.05, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    x_train, x_test = X[:cfg.n_train], X[cfg.n_train:]

    model = ScoreNet()
    lr = cfg.base_lr * cfg.batch_size
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    print(f"lr={lr:.4g}")

    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(cfg.n_train)
        total = 0.0
        for i in range(0, cfg.n_train, cfg.batch_size):
            xb = x_train[perm[i:i + cfg.batch_size]]
            loss = dsm_loss(model, xb, cfg)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
            step += 1
        if epoch % 4 == 0 or epoch == cfg.epochs - 1:
            with torch.no_grad():
                torch.manual_seed(1000)
                test_loss = np.mean([dsm_loss(model, x_test, cfg).item() for _ in range(3)])
            print(f"epoch {epoch:2d} step {step} train_dsm {total / cfg.n_train:.4f} test_dsm {test_loss:.4f}")

    # few steps of annealed Langevin sampling to check the learned score
    with torch.no_grad():
        x = torch.randn(1000, 2) * cfg.sigma_max
        for s in torch.logspace(np.log10(cfg.sigma_max), np.log10(cfg.sigma_min), 10):
            sig = torch.full((x.shape[0], 1), float(s))
            step_size = 0.1 * float(s) ** 2
            for _ in range(10):
                x = x + step_size * model(x, sig) + (2 * step_size) ** 0.5 * torch.randn_like(x)
        d = torch.cdist(x, x_test).min(dim=1).values
    print(f"final test_dsm {test_loss:.4f}  sample->data mean NN distance {d.mean():.4f}")


if __name__ == "__main__":
    main()

"""Heteroscedastic regression with a torch.distributions.Normal head (dataclass
config, AdamW + cosine schedule), trained by negative log-likelihood.

Seeded bug (loss_output_mismatch): the model returns Normal(mu, scale) with
batch shape (B, 1) but the targets have shape (B,). dist.log_prob(y) silently
broadcasts to a (B, B) matrix, so every prediction is scored against every
target in the batch and the loss is minimised by predicting the batch mean with
a wide scale.
Measured (12 epochs, 288 steps): buggy train NLL 1.65, test MSE 1.63 with
var(y) = 1.66 (R^2 ~ 0); fixed (log_prob(y.unsqueeze(-1))) train NLL 0.74,
test NLL 0.69, test MSE 0.33.
"""
# traindebug-expect: loss_output_mismatch
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal


@dataclass
class Config:
    n_train: int = 1500
    n_test: int = 500
    n_features: int = 6
    hidden: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-5
    batch_size: int = 64
    epochs: int = 12
    min_scale: float = 1e-3
    seed: int = 3


def make_data(cfg, n, rng):
    x = rng.normal(size=(n, cfg.n_features)).astype(np.float32)
    mean = np.sin(1.5 * x[:, 0]) + 0.8 * x[:, 1] * x[:, 2] - 0.5 * x[:, 3]
    noise_sd = 0.1 + 0.4 * (x[:, 4] > 0)          # heteroscedastic noise
    y = mean + noise_sd * rng.normal(size=n)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))


class GaussianRegressor(nn.Module):
    """Predicts a Normal(mu, sigma) per example."""

    def __init__(self, d_in, hidden, min_scale):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
        )
        self.mu = nn.Linear(hidden, 1)
        self.raw_scale = nn.Linear(hidden, 1)
        self.min_scale = min_scale

    def forward(self, x):
        h = self.trunk(x)
        scale = F.softplus(self.raw_scale(h)) + self.min_scale
        return Normal(self.mu(h), scale)


def nll(dist, y):
    return -dist.log_prob(y).mean()


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    x_tr, y_tr = make_data(cfg, cfg.n_train, rng)
    x_te, y_te = make_data(cfg, cfg.n_test, rng)

    model = GaussianRegressor(cfg.n_features, cfg.hidden, cfg.min_scale)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs)

    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(cfg.n_train)
        losses = []
        for i in range(0, cfg.n_train, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = nll(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
        if epoch % 3 == 2 or epoch == cfg.epochs - 1:
            model.eval()
            with torch.no_grad():
                d = model(x_te)
                mse = F.mse_loss(d.mean.squeeze(-1), y_te).item()
                test_nll = -d.log_prob(y_te.unsqueeze(-1)).mean().item()
            print(f"epoch {epoch + 1:2d}  train_nll {np.mean(losses):.4f}  "
                  f"test_nll {test_nll:.4f}  test_mse {mse:.4f}  var(y) {y_te.var().item():.4f}")


if __name__ == "__main__":
    main()

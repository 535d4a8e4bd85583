"""RealNVP-style normalizing flow (affine coupling layers) on standardized two-moons data.

Seeded bug (lr_too_high): base_lr is documented as the rate "per 32 samples", but the
linear-scaling line multiplies it by the raw batch size (256) without dividing by 32,
so Adam runs at lr = 0.256 instead of 8e-3 (32x too large).

Measured (224 Adam steps): buggy: mean train NLL of epoch 0 = 3.6e8, val NLL 5.7e6
after epoch 0, still 34.5 at the end (wildly above the ~1.4 reached by a healthy flow).
Fixed copy (lr = base_lr * batch_size / 32): val NLL 2.45 -> 1.43.
"""
# traindebug-expect: lr_too_high
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.set_num_threads(1)


@dataclass
class FlowConfig:
    n_samples: int = 4096
    batch_size: int = 256
    n_couplings: int = 4
    hidden: int = 64
    epochs: int = 16
    # learning rate per 32 samples; scaled linearly with the batch size below
    base_lr: float = 1e-3
    seed: int = 1


class AffineCoupling(nn.Module):
    def __init__(self, mask, hidden):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 4),
        )

    def forward(self, x):
        xm = x * self.mask
        s, t = self.net(xm).chunk(2, dim=1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        z = xm + (1 - self.mask) * (x * torch.exp(s) + t)
        return z, s.sum(dim=1)


class RealNVP(nn.Module):
    def __init__(self, n_couplings, hidden):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0])
                 for i in range(n_couplings)]
        self.layers = nn.ModuleList(AffineCoupling(m, hidden) for m in masks)

    def log_prob(self, x):
        logdet = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        base = -0.5 * (x ** 2).sum(dim=1) - math.log(2 * math.pi)
        return base + logdet


def main(cfg=FlowConfig()):
    torch.manual_seed(cfg.seed)
    X, _ = make_moons(cfg.n_samples, noise=0.05, random_state=cfg.seed)
    X = (X - X.mean(0)) / X.std(0)
    X = torch.tensor(X, dtype=torch.float32)
    X_train, X_val = X[:3584], X[3584:]

    flow = RealNVP(cfg.n_couplings, cfg.hidden)
    lr = cfg.base_lr * cfg.batch_size  # linear scaling rule
    opt = torch.optim.Adam(flow.parameters(), lr=lr)

    step = 0
    for epoch in range(cfg.epochs):
        perm = torch.randperm(len(X_train))
        running = []
        for i in range(0, len(X_train), cfg.batch_size):
            xb = X_train[perm[i:i + cfg.batch_size]]
            loss = -flow.log_prob(xb).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            running.append(loss.item())
            step += 1
        if epoch % 3 == 0 or epoch == cfg.epochs - 1:
            with torch.no_grad():
                val_nll = -flow.log_prob(X_val).mean().item()
            print(f"epoch {epoch:2d} step {step:4d} train nll {np.mean(running):.3f} val nll {val_nll:.3f}")


if __name__ == "__main__":
    main()

"""Small 1-D GAN (MLP generator and discriminator, non-saturating loss, two
Adam optimizers, dataclass config) fitting a bimodal Gaussian mixture;
quality is tracked with the 1-D Wasserstein distance to held-out real samples.

Seeded bug: the discriminator step calls opt_d.zero_grad(), but the generator
step never calls opt_g.zero_grad(), so the generator's .grad buffers keep
summing every step's gradient and Adam is fed an ever-growing running sum
(momentum of past directions) instead of the current gradient.

Measured (400 steps each optimizer): buggy run W1 wanders 0.91 -> 1.51 -> 0.44
-> 0.88 at the end, generator std swinging 0.3 .. 3.4 (target ~1.34); with
opt_g.zero_grad() added: W1 1.15 -> 0.50 (step 50) -> 0.14 at step 400,
fake mean -0.04 / std 1.25 (target 0.0 / 1.34).
"""
# traindebug-expect: missing_zero_grad
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class GANConfig:
    z_dim: int = 4
    hidden: int = 32
    batch_size: int = 128
    steps: int = 400
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple = (0.5, 0.999)
    seed: int = 42
    log_every: int = 50


def sample_real(n, gen):
    """Bimodal 1-D target: 0.6 * N(-1, 0.5^2) + 0.4 * N(1.5, 0.6^2)."""
    comp = torch.rand(n, 1, generator=gen) < 0.6
    a = -1.0 + 0.5 * torch.randn(n, 1, generator=gen)
    b = 1.5 + 0.6 * torch.randn(n, 1, generator=gen)
    return torch.where(comp, a, b)


def wasserstein_1d(x, y):
    xs, _ = torch.sort(x.flatten())
    ys, _ = torch.sort(y.flatten())
    return (xs - ys).abs().mean().item()


def main(cfg: GANConfig):
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)

    G = nn.Sequential(
        nn.Linear(cfg.z_dim, cfg.hidden), nn.LeakyReLU(0.2),
        nn.Linear(cfg.hidden, cfg.hidden), nn.LeakyReLU(0.2),
        nn.Linear(cfg.hidden, 1),
    )
    D = nn.Sequential(
        nn.Linear(1, cfg.hidden), nn.LeakyReLU(0.2),
        nn.Linear(cfg.hidden, cfg.hidden), nn.LeakyReLU(0.2),
        nn.Linear(cfg.hidden, 1),
    )
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=cfg.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=cfg.betas)

    ones = torch.ones(cfg.batch_size, 1)
    zeros = torch.zeros(cfg.batch_size, 1)
    z_eval = torch.randn(4000, cfg.z_dim, generator=gen)
    real_eval = sample_real(4000, gen)

    for step in range(1, cfg.steps + 1):
        # discriminator
        real = sample_real(cfg.batch_size, gen)
        z = torch.randn(cfg.batch_size, cfg.z_dim, generator=gen)
        fake = G(z)
        d_loss = (F.binary_cross_entropy_with_logits(D(real), ones)
                  + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()

        # generator (non-saturating loss)
        g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
        g_loss.backward()
        opt_g.step()

        if step % cfg.log_every == 0 or step == 1:
            with torch.no_grad():
                samples = G(z_eval)
            w1 = wasserstein_1d(samples, real_eval)
            print(f"step {step:4d} d_loss {d_loss.item():.3f} g_loss {g_loss.item():.3f} "
                  f"W1 {w1:.3f} fake_mean {samples.mean():.2f} fake_std {samples.std():.2f}")


if __name__ == "__main__":
    main(GANConfig())

"""Conditional GAN on generated 2-D data (4 class-conditional arc segments).

Seeded bug (frozen_or_unoptimized): make_optimizers builds the discriminator
optimizer from `gen.parameters()` (copy-paste of the line above it), so the
discriminator's weights get gradients from d_loss every step but are never
updated. The generator is trained against a fixed random critic and simply runs
off towards wherever that critic says "real".

Measured (seed 3, 400 steps): buggy run ends with 0.000 of generated samples on
the requested class mode and mean distance 179.4 to the class centre (d_loss
grows 3.4 -> 8.6); with `disc.parameters()` in opt_d the same script reaches
0.996 on-mode and mean distance 0.389, d_loss ~1.39 (equilibrium).
"""
# traindebug-expect: frozen_or_unoptimized
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


@dataclass
class GanConfig:
    n_classes: int = 4
    z_dim: int = 8
    hidden: int = 64
    batch_size: int = 128
    steps: int = 400
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple = (0.5, 0.999)
    seed: int = 3


def class_centers(n_classes, radius=2.0):
    ang = torch.arange(n_classes, dtype=torch.float32) * (2 * math.pi / n_classes)
    return torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], 1)


def sample_real(n, centers, gen):
    y = torch.randint(0, centers.size(0), (n,), generator=gen)
    # each class is a short arc segment, not an isotropic blob
    t = torch.rand(n, generator=gen) * 0.6 - 0.3
    base = centers[y]
    tangent = torch.stack([-base[:, 1], base[:, 0]], 1) / base.norm(dim=1, keepdim=True)
    x = base + t.unsqueeze(1) * tangent * 2.0 + 0.08 * torch.randn(n, 2, generator=gen)
    return x, y


class Generator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.n_classes, 8)
        self.net = nn.Sequential(
            nn.Linear(cfg.z_dim + 8, cfg.hidden), nn.LeakyReLU(0.2),
            nn.Linear(cfg.hidden, cfg.hidden), nn.LeakyReLU(0.2),
            nn.Linear(cfg.hidden, 2),
        )

    def forward(self, z, y):
        return self.net(torch.cat([z, self.embed(y)], 1))


class Discriminator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.n_classes, 8)
        self.net = nn.Sequential(
            nn.Linear(2 + 8, cfg.hidden), nn.LeakyReLU(0.2),
            nn.Linear(cfg.hidden, cfg.hidden), nn.LeakyReLU(0.2),
            nn.Linear(cfg.hidden, 1),
        )

    def forward(self, x, y):
        return self.net(torch.cat([x, self.embed(y)], 1)).squeeze(1)


def make_optimizers(cfg, gen, disc):
    opt_g = torch.optim.Adam(gen.parameters(), lr=cfg.lr_g, betas=cfg.betas)
    opt_d = torch.optim.Adam(gen.parameters(), lr=cfg.lr_d, betas=cfg.betas)
    return opt_g, opt_d


@torch.no_grad()
def evaluate(gen, centers, cfg, n=2000):
    y = torch.arange(n) % cfg.n_classes
    x = gen(torch.randn(n, cfg.z_dim), y)
    d = torch.cdist(x, centers)
    nearest = d.argmin(1)
    on_mode = (d.min(1).values < 0.8)
    correct = ((nearest == y) & on_mode).float().mean().item()
    return correct, d[torch.arange(n), y].mean().item()


def train(cfg):
    torch.manual_seed(cfg.seed)
    data_gen = torch.Generator().manual_seed(cfg.seed + 100)
    centers = class_centers(cfg.n_classes)
    gen, disc = Generator(cfg), Discriminator(cfg)
    opt_g, opt_d = make_optimizers(cfg, gen, disc)

    for step in range(1, cfg.steps + 1):
        gen.zero_grad(set_to_none=True)
        disc.zero_grad(set_to_none=True)
        real, y = sample_real(cfg.batch_size, centers, data_gen)
        z = torch.randn(cfg.batch_size, cfg.z_dim)
        fake = gen(z, y)

        d_real = disc(real, y)
        d_fake = disc(fake.detach(), y)
        d_loss = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
            F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        d_loss.backward()
        opt_d.step()

        g_out = disc(fake, y)  # D grads from this pass are cleared at the top of the next step
        g_loss = F.binary_cross_entropy_with_logits(g_out, torch.ones_like(g_out))
        g_loss.backward()
        opt_g.step()

        if step % 100 == 0:
            acc, dist = evaluate(gen, centers, cfg)
            print(f"step {step:4d}  d_loss {d_loss.item():.3f}  g_loss {g_loss.item():.3f}  "
                  f"on-correct-mode {acc:.3f}  mean dist to class center {dist:.3f}")
    return evaluate(gen, centers, cfg)


if __name__ == "__main__":
    acc, dist = train(GanConfig())
    print(f"final: fraction of samples on the requested mode {acc:.3f}, mean distance {dist:.3f}")

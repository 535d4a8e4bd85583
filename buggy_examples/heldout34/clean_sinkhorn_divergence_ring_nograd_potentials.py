"""
OT-based generative model: an MLP generator (8-d noise -> 3x128 SiLU -> 2) is trained to match
a ring of 8 Gaussians by minimising the debiased Sinkhorn divergence
S(x, y) = OT(x, y) - OT(x, x)/2 - OT(y, y)/2 (entropic OT, blur eps = 0.1, 10 log-domain Sinkhorn
iterations, batches of 64). Dataclass config, small Trainer class, AdamW lr 2e-3, weight decay
1e-4, 300 steps.

Healthy control: the dual potentials f, g are computed under torch.no_grad() and the transport
plan is built from detached tensors; by the envelope (Danskin) theorem the gradient of the
entropic OT cost with respect to the points is sum_ij P_ij dC_ij/dx, so only the cost matrix
needs to carry gradient. This is the standard cheap way (as in GeomLoss) to differentiate
Sinkhorn losses.
Possible false alarm: tensors in the loss graph (potentials, plan) have no gradient and are
produced inside no_grad, which a naive check may call "no gradient flow / detached graph"; the
divergence can also be slightly negative for a batch, and its per-batch value is noisy.

Measured (seed 0, 1 thread): divergence 4.01 at step 1; held-out Sinkhorn divergence
4.00 -> 0.21 after 300 steps; samples land on all 8 modes (25% within 3 std of a mode centre).
"""
# traindebug-expect: clean
import math
import time
from dataclasses import dataclass

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Config:
    latent_dim: int = 8
    hidden: int = 128
    batch_size: int = 64
    blur: float = 0.1
    sinkhorn_iters: int = 10
    steps: int = 300
    lr: float = 2e-3
    weight_decay: float = 1e-4


def ring_of_gaussians(n, n_modes=8, radius=2.0, std=0.1, generator=None):
    k = torch.randint(0, n_modes, (n,), generator=generator)
    ang = 2 * math.pi * k.float() / n_modes
    centers = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], dim=1)
    return centers + std * torch.randn(n, 2, generator=generator)


class Generator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(cfg.latent_dim, cfg.hidden), nn.SiLU(),
            nn.Linear(cfg.hidden, cfg.hidden), nn.SiLU(),
            nn.Linear(cfg.hidden, cfg.hidden), nn.SiLU(),
        )
        self.out = nn.Linear(cfg.hidden, 2)

    def forward(self, z):
        return self.out(self.body(z))


@torch.no_grad()
def sinkhorn_potentials(C, eps, n_iters):
    n, m = C.shape
    log_a = torch.full((n,), -math.log(n))
    log_b = torch.full((m,), -math.log(m))
    f = torch.zeros(n)
    g = torch.zeros(m)
    for _ in range(n_iters):
        f = eps * (log_a - torch.logsumexp((g[None, :] - C) / eps, dim=1))
        g = eps * (log_b - torch.logsumexp((f[:, None] - C) / eps, dim=0))
    return f, g


def entropic_ot(x, y, eps, n_iters):
    C = torch.cdist(x, y) ** 2
    f, g = sinkhorn_potentials(C.detach(), eps, n_iters)
    plan = torch.exp((f[:, None] + g[None, :] - C.detach()) / eps)
    return (plan * C).sum()


def sinkhorn_divergence(x, y, eps, n_iters):
    return (entropic_ot(x, y, eps, n_iters)
            - 0.5 * entropic_ot(x, x, eps, n_iters)
            - 0.5 * entropic_ot(y, y, eps, n_iters))


def mode_stats(samples, n_modes=8, radius=2.0, std=0.1):
    ang = 2 * math.pi * torch.arange(n_modes).float() / n_modes
    centers = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], dim=1)
    d = torch.cdist(samples, centers)
    nearest = d.min(1)
    good = nearest.values < 3 * std
    covered = torch.unique(nearest.indices[good]).numel()
    return good.float().mean().item(), covered


class Trainer:
    def __init__(self, cfg):
        self.cfg = cfg
        self.gen = Generator(cfg)
        self.opt = torch.optim.AdamW(self.gen.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.data_rng = torch.Generator().manual_seed(1)
        self.history = []

    def step(self):
        cfg = self.cfg
        real = ring_of_gaussians(cfg.batch_size, generator=self.data_rng)
        fake = self.gen(torch.randn(cfg.batch_size, cfg.latent_dim))
        loss = sinkhorn_divergence(fake, real, cfg.blur, cfg.sinkhorn_iters)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()

    def fit(self):
        for it in range(1, self.cfg.steps + 1):
            self.history.append(self.step())
            if it % 50 == 0 or it == 1:
                recent = sum(self.history[-50:]) / len(self.history[-50:])
                print(f"iter {it:4d}  sinkhorn divergence (avg) {recent:.4f}")

    @torch.no_grad()
    def evaluate(self, n=500):
        samples = self.gen(torch.randn(n, self.cfg.latent_dim))
        real = ring_of_gaussians(n, generator=torch.Generator().manual_seed(123))
        div = sinkhorn_divergence(samples, real, self.cfg.blur, 30).item()
        return div, *mode_stats(samples)


if __name__ == "__main__":
    cfg = Config()
    t0 = time.time()
    trainer = Trainer(cfg)
    before = trainer.evaluate()
    trainer.fit()
    div, frac_good, covered = trainer.evaluate()
    print(f"held-out sinkhorn divergence: {before[0]:.4f} -> {div:.4f}")
    print(f"samples within 3 std of a mode: {frac_good:.3f}, modes covered: {covered}/8  ({time.time() - t0:.1f}s)")

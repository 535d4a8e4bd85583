"""Glow-style normalizing flow on a 2-D mixture of eight Gaussians (raw coordinates).

Four flow steps of [ActNorm -> invertible 1x1 convolution (learnable 2x2 matrix, slogdet)
-> affine coupling (zero-initialised MLP, tanh-bounded log-scale)]; standard-normal base,
maximum likelihood with AdamW 2e-3, batch 256, 250 steps.  ActNorm uses Glow's
data-dependent initialisation on the first batch (zero mean, unit variance per dim).

Seeded bug: the ActNorm initialisation stores log_scale = log(std) instead of
log(1/std) = -log(std) (dropped minus sign).  The data have std ~2.9, so instead of
normalising, the first ActNorm multiplies by the std (output std ~8); each following
ActNorm is initialised on its already inflated input and squares the scale again, so the
latent after four steps is ~1e6 and the initial NLL ~1e12.  Adam can only shrink the
log-scales by ~lr per step, so the flow never recovers within the budget.

Measured (seed 0, 250 steps, CPU time ~5.9 s): buggy train NLL 1.8e12 at step 250, test
NLL 1.88e12 nats; fixed copy (-log(std)): train NLL 3.70, test NLL 3.78 nats.
"""
# traindebug-expect: bad_init_scale
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def sample_eight_gaussians(n, rng, radius=4.0, width=0.4):
    angles = rng.integers(0, 8, n) * (2 * np.pi / 8)
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], 1)
    return (centers + width * rng.standard_normal((n, 2))).astype(np.float32)


class ActNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(dim))
        self.log_scale = nn.Parameter(torch.zeros(dim))
        self.register_buffer("initialized", torch.tensor(False))

    def forward(self, x):
        if not self.initialized:
            with torch.no_grad():
                self.loc.copy_(-x.mean(0))
                self.log_scale.copy_(torch.log(x.std(0) + 1e-6))
                self.initialized.fill_(True)
        z = (x + self.loc) * self.log_scale.exp()
        return z, self.log_scale.sum().expand(x.size(0))


class InvertibleLinear(nn.Module):
    """The 1x1 invertible convolution of Glow; with one 'pixel' it is a dim x dim matrix."""

    def __init__(self, dim):
        super().__init__()
        w, _ = torch.linalg.qr(torch.randn(dim, dim))
        self.weight = nn.Parameter(w)

    def forward(self, x):
        return x @ self.weight.T, torch.linalg.slogdet(self.weight)[1].expand(x.size(0))


class AffineCoupling(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x):
        xa, xb = x[:, :1], x[:, 1:]
        s, t = self.net(xa).chunk(2, dim=1)
        s = torch.tanh(s)
        return torch.cat([xa, xb * s.exp() + t], 1), s.sum(1)


class Glow2d(nn.Module):
    def __init__(self, n_steps=4):
        super().__init__()
        self.steps = nn.ModuleList()
        for _ in range(n_steps):
            self.steps.extend([ActNorm(2), InvertibleLinear(2), AffineCoupling()])

    def log_prob(self, x):
        logdet = torch.zeros(x.size(0))
        for layer in self.steps:
            x, ld = layer(x)
            logdet = logdet + ld
        base = -0.5 * (x ** 2).sum(1) - math.log(2 * math.pi)
        return base + logdet


def main():
    t0 = time.process_time()
    rng = np.random.default_rng(0)
    train = torch.from_numpy(sample_eight_gaussians(20000, rng))
    test = torch.from_numpy(sample_eight_gaussians(4000, rng))

    flow = Glow2d()
    flow.log_prob(train[:512])  # data-dependent actnorm init
    opt = torch.optim.AdamW(flow.parameters(), lr=2e-3, weight_decay=1e-5)
    
    for step in range(1, 251):
        idx = torch.randint(0, train.size(0), (256,))
        loss = -flow.log_prob(train[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            print(f"step {step:3d}  train nll {loss.item():.4f}")

    with torch.no_grad():
        test_nll = -flow.log_prob(test).mean().item()
    print(f"test nll {test_nll:.4f} nats")
    print(f"cpu time {time.process_time() - t0:.1f}s")


if __name__ == "__main__":
    main()

"""Glow-style normalizing flow on a 2-D checkerboard density.

Four flow steps of [ActNorm (data-dependent init) -> invertible 1x1 convolution (with one
'pixel' a learnable 2x2 matrix initialised from a random QR rotation) -> affine coupling
(zero-initialised MLP, tanh-bounded log-scale)]; standard-normal base, maximum likelihood
with Adam 2e-3 + cosine annealing, batch 256, 300 steps.

Seeded bug: the log-determinant of the invertible 1x1 convolution is computed with
torch.logdet(W).  torch.logdet returns NaN for a matrix with negative determinant, and a
random orthogonal matrix from QR has det -1 about half the time (here all four have
det -1), so the log-likelihood is NaN from the very first batch and every parameter gets
NaN gradients.  Glow's own code uses slogdet / the LU parameterisation for exactly this
reason; torch.logdet looks like the obvious function to call.

Measured (seed 0, 300 steps, CPU time ~7.5 s): buggy train NLL nan at every logged step,
test NLL nan; fixed copy (torch.linalg.slogdet(W)[1]): train NLL 2.60, test NLL 2.597 nats.
"""
# traindebug-expect: non_finite
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def sample_checkerboard(n, rng):
    x1 = rng.uniform(-2, 2, n)
    x2 = rng.uniform(0, 1, n) - rng.integers(0, 2, n) * 2.0
    x2 = x2 + np.floor(x1) % 2
    return np.stack([x1, x2], 1).astype(np.float32)


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
                self.log_scale.copy_(-torch.log(x.std(0) + 1e-6))
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
        return x @ self.weight.T, torch.logdet(self.weight).expand(x.size(0))


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
    train = torch.from_numpy(sample_checkerboard(20000, rng))
    test = torch.from_numpy(sample_checkerboard(4000, rng))

    flow = Glow2d()
    flow.log_prob(train[:512])  # data-dependent actnorm init
    opt = torch.optim.Adam(flow.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300)

    for step in range(1, 301):
        idx = torch.randint(0, train.size(0), (256,))
        loss = -flow.log_prob(train[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0:
            print(f"step {step:3d}  train nll {loss.item():.4f}")

    with torch.no_grad():
        test_nll = -flow.log_prob(test).mean().item()
    print(f"test nll {test_nll:.4f} nats  (uniform-on-support reference {math.log(8.0):.4f})")
    print(f"cpu time {time.process_time() - t0:.1f}s")


if __name__ == "__main__":
    main()

"""
RealNVP-style normalising flow on dequantised 8x8 digits (sklearn load_digits): pixels
(x + U(0,1)) / 17 in (0, 1), 64 dims, six affine coupling layers with alternating
checkerboard masks, each coupling net an MLP 64 -> 192 -> 192 -> 128 (log-scale and shift,
last layer zero-initialised so the flow starts as the identity), standard normal base.
Adam lr 1e-3, batch 64, 14 epochs (~300 steps), loss = mean negative log-likelihood in nats
per image, test NLL reported in bits per dimension.

Seeded bug: the log-determinant is computed literally as "log of the determinant": each
coupling layer returns the Jacobian determinant as the product of its diagonal,
`torch.prod(scale, dim=1)`, the flow multiplies the per-layer determinants together and takes
`torch.log(det)` once at the end, instead of summing log-scales in log space. The flow must
stretch the nearly constant border pixels a lot (their only spread is the 1/17 dequantisation
noise), so within a few steps the total log-determinant exceeds 88 nats and the product
overflows float32 (> 3.4e38): log(det) = inf, the loss becomes -inf, the backward pass yields
NaN gradients and Adam writes NaN into every weight. A realistic mistake when translating
the change-of-variables formula into code.

Measured (seed 0, 1 thread): buggy loss is -inf at step 10 and NaN afterwards; final
train/test NLL nan. Fixed copy (per-layer s.sum(1), summed over layers, no log at the end):
final train NLL -1.579 bits/dim, test NLL -1.467 bits/dim. Runtime ~9 s.
"""
# traindebug-expect: non_finite
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

D = 64


class Coupling(nn.Module):
    def __init__(self, mask, hidden=192):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(
            nn.Linear(D, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2 * D),
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x):
        x_keep = x * self.mask
        s, t = self.net(x_keep).chunk(2, dim=1)
        s = s * (1 - self.mask)
        t = t * (1 - self.mask)
        scale = torch.exp(s)
        y = x_keep + (1 - self.mask) * (x * scale + t)
        jac_det = torch.prod(scale, dim=1)
        return y, jac_det


class RealNVP(nn.Module):
    def __init__(self, n_layers=6):
        super().__init__()
        board = ((torch.arange(8)[:, None] + torch.arange(8)[None, :]) % 2).float().flatten()
        self.layers = nn.ModuleList(
            Coupling(board if i % 2 == 0 else 1 - board) for i in range(n_layers))

    def log_prob(self, x):
        det = torch.ones(x.shape[0])
        for layer in self.layers:
            x, jac_det = layer(x)
            det = det * jac_det
        log_base = -0.5 * (x ** 2).sum(1) - 0.5 * D * math.log(2 * math.pi)
        return log_base + torch.log(det)


def dequantize(pixels, gen):
    return (pixels + torch.rand(pixels.shape, generator=gen)) / 17.0


def bits_per_dim(nll_nats):
    return nll_nats / (D * math.log(2))


def main():
    X, _ = load_digits(return_X_y=True)
    X_tr, X_te = train_test_split(X, test_size=0.2, random_state=0)
    X_tr = torch.tensor(X_tr, dtype=torch.float32)
    X_te = torch.tensor(X_te, dtype=torch.float32)
    gen = torch.Generator().manual_seed(1)
    X_te_deq = dequantize(X_te, gen)

    flow = RealNVP()
    opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
    n, bs = len(X_tr), 64
    step = 0
    for epoch in range(14):
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, bs):
            xb = dequantize(X_tr[perm[i:i + bs]], gen)
            loss = -flow.log_prob(xb).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(xb)
        with torch.no_grad():
            test_nll = -flow.log_prob(X_te_deq).mean().item()
        if epoch % 2 == 0 or epoch == 13:
            print(f"epoch {epoch:2d} step {step} train_bpd {bits_per_dim(tot / n):.3f} "
                  f"test_bpd {bits_per_dim(test_nll):.3f}")

    with torch.no_grad():
        train_nll = -flow.log_prob(dequantize(X_tr, gen)).mean().item()
        test_nll = -flow.log_prob(X_te_deq).mean().item()
    print(f"final train_bpd {bits_per_dim(train_nll):.3f} test_bpd {bits_per_dim(test_nll):.3f}")


if __name__ == "__main__":
    main()

"""RealNVP-style density model on two moons: a logit preprocessing transform followed by
six affine coupling layers (tanh-bounded log-scales), trained by maximum likelihood.

Seeded bug (non_finite): the data are min-max scaled to exactly [0, 1] and the logit
transform is used with alpha=0.0 (no squashing away from the boundary). The training
points sitting at the min/max give log(0) = -inf in the transform and its log-det, so
the loss becomes inf/NaN and the NaN gradients poison every parameter.

Measured: first non-finite loss at optimizer step 8; every later train/val NLL is nan
(162 steps). Fixed copy (alpha=1e-3): NLL falls from -0.51 to train -0.77 / val -0.79.
"""
# traindebug-expect: non_finite
import math
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, _ = make_moons(n_samples=4000, noise=0.05, random_state=0)
# squash each coordinate into the unit interval; the flow works in logit space
X = (X - X.min(0)) / (X.max(0) - X.min(0))
X = torch.tensor(X, dtype=torch.float32)
perm0 = torch.randperm(len(X))
Xtr, Xval = X[perm0[:3500]], X[perm0[3500:]]


def logit_transform(x, alpha=0.0):
    """Map [0,1] data to R, returning the log|det J| of the transform."""
    p = alpha + (1 - 2 * alpha) * x
    y = torch.log(p) - torch.log1p(-p)
    log_det = (math.log(1 - 2 * alpha) - torch.log(p) - torch.log1p(-p)).sum(-1)
    return y, log_det


class AffineCoupling(nn.Module):
    def __init__(self, dim, hidden, mask):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(
            nn.Linear(dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2 * dim),
        )

    def forward(self, x):
        x_masked = x * self.mask
        s, t = self.net(x_masked).chunk(2, dim=-1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        y = x_masked + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(dim=-1)


class Flow(nn.Module):
    def __init__(self, dim=2, n_layers=6, hidden=64):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0]) for i in range(n_layers)]
        self.layers = nn.ModuleList([AffineCoupling(dim, hidden, m) for m in masks])

    def forward(self, x):
        x, log_det = logit_transform(x)
        for layer in self.layers:
            x, ld = layer(x)
            log_det = log_det + ld
        return x, log_det

    def log_prob(self, x):
        z, log_det = self(x)
        base = -0.5 * (z ** 2).sum(-1) - z.shape[-1] * 0.5 * math.log(2 * math.pi)
        return base + log_det


flow = Flow()
opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
BATCH = 128
step = 0
for epoch in range(6):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr) - BATCH + 1, BATCH):
        xb = Xtr[perm[i:i + BATCH]]
        loss = -flow.log_prob(xb).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        val_nll = -flow.log_prob(Xval).mean().item()
    print(f"epoch {epoch} step {step} train nll {loss.item():.3f} val nll {val_nll:.3f}")

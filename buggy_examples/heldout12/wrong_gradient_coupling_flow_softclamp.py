"""RealNVP-style affine coupling flow (6 coupling layers) fit by maximum likelihood on 2-D two-moons.

Seeded bug: the log-scale soft clamp y = c*tanh(x/c) is a custom autograd.Function whose backward
uses the saved *output* y but forgets to divide it by c: it returns grad*(1 - y**2) instead of
grad*(1 - (y/c)**2). For |y| > 1 (c = 3) the derivative even has the wrong sign, so the scale
networks are pushed the wrong way.
Measured: train nll 2.36 at step 50, 11.5 at step 100, 4.7e6 at step 150, ~1.3e9 at step 250;
val nll 1.2e9 after 280 steps (stays finite).
Fixed backward (same seed): val nll 1.65 (standard-normal baseline 2.85).
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

data, _ = make_moons(n_samples=4000, noise=0.05, random_state=0)
data = (data - data.mean(0)) / data.std(0)
X = torch.tensor(data, dtype=torch.float32)
Xtr, Xva = X[:3500], X[3500:]


class SoftClamp(torch.autograd.Function):
    """y = c * tanh(x / c): keeps log-scales bounded; hand-written backward to save memory."""

    @staticmethod
    def forward(ctx, x, c):
        y = c * torch.tanh(x / c)
        ctx.save_for_backward(y)
        ctx.c = c
        return y

    @staticmethod
    def backward(ctx, grad_out):
        (y,) = ctx.saved_tensors
        return grad_out * (1 - y ** 2), None


class Coupling(nn.Module):
    def __init__(self, mask, hidden=64, clamp=3.0):
        super().__init__()
        self.register_buffer("mask", mask)
        self.clamp = clamp
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 4))

    def forward(self, x):
        xm = x * self.mask
        s, t = self.net(xm).chunk(2, dim=1)
        s = SoftClamp.apply(s, self.clamp) * (1 - self.mask)
        t = t * (1 - self.mask)
        y = xm + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(dim=1)


class Flow(nn.Module):
    def __init__(self, n_layers=6):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0]) for i in range(n_layers)]
        self.layers = nn.ModuleList([Coupling(m) for m in masks])

    def log_prob(self, x):
        logdet = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        base = -0.5 * (x ** 2).sum(dim=1) - np.log(2 * np.pi)
        return base + logdet


flow = Flow()
opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
step = 0
for epoch in range(20):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 256):
        xb = Xtr[perm[i:i + 256]]
        loss = -flow.log_prob(xb).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            print(f"step {step:4d}  nll {loss.item():.4f}")

with torch.no_grad():
    print(f"val nll {-flow.log_prob(Xva).mean().item():.4f}  (standard-normal baseline {-(-0.5 * (Xva ** 2).sum(1) - np.log(2 * np.pi)).mean().item():.4f})  steps {step}")

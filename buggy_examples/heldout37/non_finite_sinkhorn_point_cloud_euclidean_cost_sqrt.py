"""Point-cloud shape fitting with a debiased Sinkhorn divergence (Euclidean / W1-type cost).

Target: 160 points on a generated two-arm spiral (numpy, small jitter).  Model: a free
point cloud of 128 learnable 2-d positions (one nn.Parameter), initialised as a Gaussian
blob.  Loss: S(x, y) = OT(x, y) - OT(x, x)/2 - OT(y, y)/2 where OT is entropic optimal
transport (eps = 0.05) solved with 12 log-domain Sinkhorn iterations, differentiated
end-to-end; the ground cost is the plain Euclidean distance |x_i - y_j| (the p=1 cost,
robust to outliers).  Adam (lr 0.02) with a StepLR, 160 steps, small OTLoss module.

Seeded bug: the cost matrix is built by hand as
`((x[:, None] - y[None]) ** 2).sum(-1).sqrt()`.  In the OT(x, x) self-term every diagonal
entry is exactly 0, and the derivative of sqrt at 0 is infinite; autograd multiplies it
by the zero difference (x_i - x_i) and produces 0 * inf = NaN.  The first backward already
returns NaN gradients for all 128 points, Adam writes NaN into the positions and every
later loss is NaN.  Realistic: the self-terms of the debiased divergence are easy to
forget when writing a distance by hand (torch.cdist or a clamp before the sqrt avoids it).

Measured (seed 0, 1 thread): buggy loss 0.254 at step 0, NaN from step 1 to the end
(final Sinkhorn divergence NaN, positions NaN); fixed copy (`.clamp_min(1e-12).sqrt()`):
0.254 -> 0.0053 (mean nearest-point distance 0.004).  CPU time ~5 s.
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


def spiral(n=160):
    t = np.sqrt(np.random.rand(n)) * 3 * math.pi
    arm = np.random.randint(0, 2, n) * 2 - 1
    pts = np.stack([t * np.cos(t), t * np.sin(t)], 1) * arm[:, None] / (3 * math.pi)
    pts += 0.02 * np.random.randn(n, 2)
    return torch.tensor(pts, dtype=torch.float32)


class OTLoss(nn.Module):
    def __init__(self, eps=0.05, iters=12):
        super().__init__()
        self.eps, self.iters = eps, iters

    @staticmethod
    def cost(x, y):
        return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1).sqrt()

    def ot(self, x, y):
        C = self.cost(x, y)
        log_a = torch.full((x.shape[0],), -math.log(x.shape[0]))
        log_b = torch.full((y.shape[0],), -math.log(y.shape[0]))
        f = torch.zeros_like(log_a)
        g = torch.zeros_like(log_b)
        for _ in range(self.iters):
            f = -self.eps * torch.logsumexp(log_b + (g - C) / self.eps, dim=1)
            g = -self.eps * torch.logsumexp(log_a[:, None] + (f[:, None] - C) / self.eps, dim=0)
        return (log_a.exp() * f).sum() + (log_b.exp() * g).sum()

    def forward(self, x, y):
        return self.ot(x, y) - 0.5 * self.ot(x, x) - 0.5 * self.ot(y, y)


target = spiral()
points = nn.Parameter(0.3 * torch.randn(128, 2))
criterion = OTLoss()
opt = torch.optim.Adam([points], lr=0.02)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=60, gamma=0.5)

t0 = time.process_time()
for step in range(160):
    loss = criterion(points, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 40 == 0 or step == 159:
        print(f"step {step:4d}  sinkhorn divergence {loss.item():.5f}")

with torch.no_grad():
    d = torch.cdist(points, target)
    chamfer = 0.5 * (d.min(1).values.mean() + d.min(0).values.mean()).item()
print(f"final sinkhorn {loss.item():.5f}   chamfer distance {chamfer:.4f}")
print(f"cpu time {time.process_time() - t0:.1f}s")

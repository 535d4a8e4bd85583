"""Vanilla GAN on a 2-D ring of 8 Gaussians (radius 2, std 0.05): generator 8->128->128->2 ReLU, discriminator
2->128->128->1 LeakyReLU, non-saturating BCE losses, Adam(1e-3, betas 0.5/0.999) for both, batch 256,
700 steps; reports the fraction of samples within 4 std of a mode and the number of modes covered.

Seeded bug: the fake batch is created as G(z).detach() once per step (the usual trick for the discriminator
step) and the same detached tensor is reused for the generator loss, so g_loss has no path back to G: the
generator's parameters never receive a gradient and it keeps emitting its initial blob.

Measured: final 0.000 of samples near a mode, 0/8 modes covered, mean distance to nearest mode 1.886 with the
bug versus 0.297 near a mode, 8/8 modes, mean distance 0.380 for a fixed copy (fake = G(z); D step uses
fake.detach()). Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: no_gradient_flow
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_MODES, RADIUS, MODE_STD = 8, 2.0, 0.05
CENTERS = torch.tensor([[RADIUS * math.cos(2 * math.pi * k / N_MODES),
                         RADIUS * math.sin(2 * math.pi * k / N_MODES)] for k in range(N_MODES)])


def sample_real(n):
    k = torch.randint(0, N_MODES, (n,))
    return CENTERS[k] + MODE_STD * torch.randn(n, 2)


def mode_stats(x):
    d = torch.cdist(x, CENTERS)
    dmin, k = d.min(1)
    good = dmin < 4 * MODE_STD
    covered = torch.unique(k[good]).numel()
    return good.float().mean().item(), covered, dmin.mean().item()


Z_DIM = 8
G = nn.Sequential(nn.Linear(Z_DIM, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
D = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
opt_G = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))

BATCH, STEPS = 256, 700
ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
for step in range(1, STEPS + 1):
    real = sample_real(BATCH)
    fake = G(torch.randn(BATCH, Z_DIM)).detach()

    d_loss = F.binary_cross_entropy_with_logits(D(real), ones) + \
        F.binary_cross_entropy_with_logits(D(fake), zeros)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()

    g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()

    if step % 100 == 0:
        with torch.no_grad():
            hq, cov, dist = mode_stats(G(torch.randn(2000, Z_DIM)))
        print(f"step {step:5d}  d_loss {d_loss.item():.3f}  g_loss {g_loss.item():.3f}  "
              f"high-quality {hq:.3f}  modes {cov}/{N_MODES}  mean dist {dist:.3f}")

with torch.no_grad():
    hq, cov, dist = mode_stats(G(torch.randn(5000, Z_DIM)))
print(f"final: {hq:.3f} of samples within 4 std of a mode, {cov}/{N_MODES} modes covered, "
      f"mean distance to nearest mode {dist:.3f}")

"""
WGAN (Arjovsky et al. 2017) on a 2-D ring of 8 Gaussians: generator and critic are 2-hidden-layer
ReLU MLPs (width 64), RMSprop lr 1e-3 for both, 5 critic steps per generator step, 200 generator
steps (1200 optimizer steps), batch 128; critic weights are meant to be clipped to [-0.05, 0.05]
after every critic step. Quality = mean distance of samples to the nearest mode, modes covered.

Seeded bug: the clipping loop calls p.data.clamp(-CLIP, CLIP) instead of the in-place clamp_,
so the clipped tensor is discarded and the critic is unconstrained. Without the Lipschitz
constraint the Wasserstein critic objective is unbounded: critic weights keep growing, critic
outputs and the losses reach |90-130|, and the gradient norms grow by orders of magnitude
(generator gradient norm 0.8 at step 1 -> 70 at step 25 -> 337 at step 200; critic 4 -> 47),
throwing the generator around. A one-character typo.

Measured (seed 2, 1 thread): buggy final mean distance to nearest mode 3.551, modes covered 1/8,
critic loss -91. Fixed copy (clamp_): generator gradient norm 0.003-0.25, critic gradient norm
~1.1 throughout, critic loss ~-0.016, final mean distance 0.850, modes covered 8/8.
"""
# traindebug-expect: exploding_gradients
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(2)

Z_DIM, CLIP, N_CRITIC = 8, 0.05, 5
BATCH, GEN_STEPS = 128, 200


def sample_ring(n, modes=8, radius=2.0, std=0.05):
    k = torch.randint(0, modes, (n,))
    ang = 2 * math.pi * k.float() / modes
    centers = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], 1)
    return centers + std * torch.randn(n, 2)


def mlp(d_in, d_out, width=64):
    return nn.Sequential(nn.Linear(d_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, d_out))


def mode_stats(x, modes=8, radius=2.0):
    ang = 2 * math.pi * torch.arange(modes).float() / modes
    centers = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], 1)
    d = torch.cdist(x, centers)
    dist, which = d.min(1)
    good = dist < 0.25
    return dist.mean().item(), len(torch.unique(which[good]))


def grad_norm(module):
    return torch.sqrt(sum(p.grad.pow(2).sum() for p in module.parameters())).item()


G, D = mlp(Z_DIM, 2), mlp(2, 1)
opt_g = torch.optim.RMSprop(G.parameters(), lr=1e-3)
opt_d = torch.optim.RMSprop(D.parameters(), lr=1e-3)

for it in range(1, GEN_STEPS + 1):
    for _ in range(N_CRITIC):
        real = sample_ring(BATCH)
        fake = G(torch.randn(BATCH, Z_DIM)).detach()
        loss_d = D(fake).mean() - D(real).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        for p in D.parameters():
            p.data.clamp(-CLIP, CLIP)

    loss_g = -D(G(torch.randn(BATCH, Z_DIM))).mean()
    opt_g.zero_grad()
    loss_g.backward()
    g_norm = grad_norm(G)
    opt_g.step()
    if it % 25 == 0 or it == 1:
        with torch.no_grad():
            dist, covered = mode_stats(G(torch.randn(2000, Z_DIM)))
        d_norm = grad_norm(D)
        print(f"gen step {it}: critic_loss {loss_d.item():.4f} gen_loss {loss_g.item():.4f} "
              f"|grad D| {d_norm:.3e} |grad G| {g_norm:.3e} dist-to-mode {dist:.3f} modes {covered}/8")

with torch.no_grad():
    dist, covered = mode_stats(G(torch.randn(5000, Z_DIM)))
print(f"final: mean distance to nearest mode {dist:.3f}, modes covered {covered}/8")

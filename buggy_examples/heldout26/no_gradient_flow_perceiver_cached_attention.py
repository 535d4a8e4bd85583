"""Perceiver-style set classifier: a learned latent array cross-attends to the
input set, followed by a latent self-attention block and a mean-pooled
readout. Task: sets of 20 Gaussian tokens, one tagged token; the label is the
argmax of the tagged token's features 1..4, so the cross-attention must learn
to find the tagged token. AdamW + OneCycle, 300 steps.

Seeded bug (no_gradient_flow): `CrossAttention._attention` stores the
attention map for later inspection as `softmax(...).detach()` and returns the
same detached tensor, which is then used to mix the values. The query and key
projections (`cross.q`, `cross.k`) therefore never receive a gradient
(.grad stays None) and the attention stays at its random, near-uniform
initial pattern, which averages the tagged token away.

Measured: final loss ~1.39-1.40 (ln 4 = 1.386), test acc 0.33 (chance 0.25).
Fixed copy (no .detach()): loss 0.12-0.29, test acc 0.965.
"""
# traindebug-expect: no_gradient_flow
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(11)

SET_SIZE, D_IN, N_CLASSES = 20, 8, 4


def make_sets(n, gen):
    """Each set holds noise tokens plus one tagged token; the label is
    read off the tagged token's features."""
    x = torch.randn(n, SET_SIZE, D_IN, generator=gen)
    x[:, :, 0] = 0.0
    where = torch.randint(0, SET_SIZE, (n,), generator=gen)
    idx = torch.arange(n)
    x[idx, where, 0] = 3.0
    y = x[idx, where, 1:1 + N_CLASSES].argmax(-1)
    return x, y


class CrossAttention(nn.Module):
    def __init__(self, d_latent, d_in, d_head=32):
        super().__init__()
        self.q = nn.Linear(d_latent, d_head, bias=False)
        self.k = nn.Linear(d_in, d_head, bias=False)
        self.v = nn.Linear(d_in, d_latent)
        self.scale = 1.0 / math.sqrt(d_head)
        self.attn_map = None

    def _attention(self, q, k):
        # keep the attention pattern around so it can be plotted / inspected
        self.attn_map = torch.softmax(q @ k.transpose(-1, -2) * self.scale, dim=-1).detach()
        return self.attn_map

    def forward(self, latents, inputs):
        attn = self._attention(self.q(latents), self.k(inputs))   # B, L, N
        return attn @ self.v(inputs)


class LatentBlock(nn.Module):
    def __init__(self, d, heads=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, z):
        h = self.norm1(z)
        z = z + self.attn(h, h, h, need_weights=False)[0]
        return z + self.ff(self.norm2(z))


class Perceiver(nn.Module):
    def __init__(self, n_latents=8, d_latent=48, depth=1):
        super().__init__()
        self.latents = nn.Parameter(torch.randn(n_latents, d_latent) * 0.5)
        self.in_norm = nn.LayerNorm(D_IN)
        self.lat_norm = nn.LayerNorm(d_latent)
        self.cross = CrossAttention(d_latent, D_IN)
        self.blocks = nn.ModuleList([LatentBlock(d_latent) for _ in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(d_latent), nn.Linear(d_latent, N_CLASSES))

    def forward(self, x):
        b = x.size(0)
        z = self.latents.unsqueeze(0).expand(b, -1, -1)
        z = z + self.cross(self.lat_norm(z), self.in_norm(x))
        for blk in self.blocks:
            z = blk(z)
        return self.out(z.mean(1))


def main():
    gen = torch.Generator().manual_seed(0)
    x_tr, y_tr = make_sets(2048, gen)
    x_te, y_te = make_sets(512, gen)
    model = Perceiver()
    steps, bs = 300, 64
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    for step in range(steps):
        idx = torch.randint(0, len(x_tr), (bs,), generator=gen)
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == steps - 1:
            with torch.no_grad():
                acc = (model(x_te).argmax(1) == y_te).float().mean().item()
            print(f"step {step:3d}  loss {loss.item():.4f}  test acc {acc:.3f}")


if __name__ == "__main__":
    main()

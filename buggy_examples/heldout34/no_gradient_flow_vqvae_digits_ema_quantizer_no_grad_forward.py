"""
VQ-VAE with an exponential-moving-average codebook (van den Oord et al. 2017, appendix;
decay 0.95) on sklearn digits (8x8 scaled to [0, 1]). MLP encoder 64 -> 128 -> 4 latent slots of
dimension 8, 32 codes (initialised from encoder outputs), straight-through estimator, MLP
decoder with sigmoid output. Loss = reconstruction MSE + 0.25 * commitment loss; the codebook
itself is updated by EMA cluster statistics, not by the optimizer. Adam lr 2e-3 on
encoder + decoder, batch 64 with manual shuffled batching, 8 epochs (~180 steps),
reconstruction MSE on a 20% held-out split.

Seeded bug: because the EMA statistics must not be tracked by autograd, the whole
`EMAQuantizer.forward` is decorated with `@torch.no_grad()`. That also detaches the two
things the encoder learns from: the straight-through output `z + (z_q - z).detach()` and the
commitment loss are both computed inside the no-grad forward. The encoder parameters never
receive a gradient (their .grad stays None); only the decoder learns, from codes produced by
a random encoder. Fix: only wrap the EMA update in `with torch.no_grad():`.

Measured (seed 0, 1 thread): buggy: final train recon MSE 0.0614, test recon MSE 0.0621
(encoder weights unchanged from init). Fixed copy: final train recon MSE 0.0528, test recon
MSE 0.0512.
"""
# traindebug-expect: no_gradient_flow
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SLOTS, DIM, N_CODES = 4, 8, 32

x = load_digits().data.astype(np.float32) / 16.0
x_tr, x_te = train_test_split(x, test_size=0.2, random_state=0)
x_tr, x_te = torch.tensor(x_tr), torch.tensor(x_te)


class EMAQuantizer(nn.Module):
    def __init__(self, n_codes, dim, decay=0.95, eps=1e-5):
        super().__init__()
        self.decay, self.eps = decay, eps
        self.register_buffer("embed", torch.randn(n_codes, dim))
        self.register_buffer("cluster_size", torch.ones(n_codes))
        self.register_buffer("embed_sum", self.embed.clone())

    @torch.no_grad()
    def init_from(self, z):
        z = z.reshape(-1, self.embed.shape[1])
        self.embed.copy_(z[torch.randperm(len(z))[: len(self.embed)]])
        self.embed_sum.copy_(self.embed)

    @torch.no_grad()
    def forward(self, z):
        flat = z.reshape(-1, z.shape[-1])
        idx = torch.cdist(flat, self.embed).argmin(1)
        z_q = self.embed[idx].view_as(z)
        if self.training:
            onehot = F.one_hot(idx, len(self.embed)).type(flat.dtype)
            self.cluster_size.mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
            self.embed_sum.mul_(self.decay).add_(onehot.t() @ flat, alpha=1 - self.decay)
            n = self.cluster_size.sum()
            size = (self.cluster_size + self.eps) / (n + len(self.embed) * self.eps) * n
            self.embed.copy_(self.embed_sum / size.unsqueeze(1))
        commit = F.mse_loss(z, z_q)
        z_q = z + (z_q - z).detach()
        return z_q, commit, idx


encoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, SLOTS * DIM))
decoder = nn.Sequential(nn.Linear(SLOTS * DIM, 128), nn.ReLU(), nn.Linear(128, 64), nn.Sigmoid())
quantizer = EMAQuantizer(N_CODES, DIM)
quantizer.init_from(encoder(x_tr[:256]))

opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=2e-3)


def run(xb):
    z = encoder(xb).view(-1, SLOTS, DIM)
    z_q, commit, idx = quantizer(z)
    return decoder(z_q.flatten(1)), commit, idx


t0 = time.time()
step = 0
for epoch in range(1, 9):
    quantizer.train()
    perm = torch.randperm(len(x_tr))
    for i in range(0, len(perm), 64):
        xb = x_tr[perm[i:i + 64]]
        recon, commit, idx = run(xb)
        rec = F.mse_loss(recon, xb)
        loss = rec + 0.25 * commit
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    print(f"epoch {epoch}  step {step}  recon {rec.item():.4f}  commit {commit.item():.4f}  "
          f"codes {idx.unique().numel()}")

quantizer.eval()
with torch.no_grad():
    recon, _, idx = run(x_te)
    test_mse = F.mse_loss(recon, x_te).item()
print(f"final train recon mse {rec.item():.4f}  test recon mse {test_mse:.4f}  codes in use {idx.unique().numel()}/{N_CODES}")
print(f"time {time.time() - t0:.1f}s")

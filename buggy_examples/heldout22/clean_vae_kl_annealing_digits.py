"""Variational autoencoder on binarised 8x8 sklearn digits with a
hand-written ELBO (reparameterisation, Bernoulli decoder, closed-form KL)
and linear KL annealing: beta = 0 for the first 60 steps, then ramps to 1
over 150 steps.

Clean control. Patterns a naive detector might flag: the KL term has weight
exactly 0 for the first 60 steps (its gradient contribution is zero), the
raw KL first rises (16.8 -> 20.2) and then drops sharply once beta ramps up,
and the optimised total loss stops falling and even ticks up (21.6 -> 20.6
-> 20.75) during the ramp because its definition changes every step. The
model is healthy.

Measured (14 epochs, 336 Adam steps): reconstruction NLL 31.4 -> 15.7 nats,
KL settles at ~4.3 nats (latent in use, no posterior collapse), validation
-ELBO 49.0 -> 19.5 nats; a zero-KL mean-image model scores 25.1 nats.
"""
# traindebug-expect: clean

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(1)

LATENT = 8


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 128), nn.ELU(), nn.Linear(128, 64), nn.ELU())
        self.mu = nn.Linear(64, LATENT)
        self.logvar = nn.Linear(64, LATENT)

    def forward(self, x):
        h = self.body(x)
        return self.mu(h), self.logvar(h).clamp(-8, 8)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(LATENT, 64), nn.ELU(), nn.Linear(64, 128), nn.ELU(),
                                 nn.Linear(128, 64))

    def forward(self, z):
        return self.net(z)  # Bernoulli logits per pixel


def elbo_terms(x, enc, dec):
    mu, logvar = enc(x)
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn_like(std)
    logits = dec(z)
    # -log p(x|z) under a factorised Bernoulli decoder
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    # KL(q(z|x) || N(0, I)) in closed form
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
    return rec.mean(), kl.mean()


def kl_weight(step, warmup_start, warmup_len):
    """Linear KL annealing: 0 for the first `warmup_start` steps, then ramp to 1."""
    if step < warmup_start:
        return 0.0
    return min(1.0, (step - warmup_start) / warmup_len)


digits = load_digits()
X = torch.tensor(digits.data > 7, dtype=torch.float32)  # binarised 8x8 digits
perm = torch.randperm(len(X))
Xtr, Xva = X[perm[:1500]], X[perm[1500:]]
loader = DataLoader(TensorDataset(Xtr), batch_size=64, shuffle=True)

enc, dec = Encoder(), Decoder()
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=2e-3)

step = 0
for epoch in range(14):
    agg = np.zeros(3)
    for (xb,) in loader:
        beta = kl_weight(step, warmup_start=60, warmup_len=150)
        rec, kl = elbo_terms(xb, enc, dec)
        loss = rec + beta * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        agg += [loss.item(), rec.item(), kl.item()]
    agg /= len(loader)
    with torch.no_grad():
        vr, vk = elbo_terms(Xva, enc, dec)
    if epoch % 2 == 0 or epoch == 13:
        print(f"epoch {epoch:2d} step {step:3d} beta {beta:.2f} loss {agg[0]:7.2f} "
              f"rec {agg[1]:6.2f} kl {agg[2]:6.2f} | val -ELBO {(vr + vk).item():6.2f}")

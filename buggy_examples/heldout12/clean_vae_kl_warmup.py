"""Variational autoencoder (16-d latent, MLP encoder/decoder, fixed-std Gaussian decoder) on sklearn digits,
trained with a linear KL warm-up: beta goes from 0 to 1 over the first 200 steps.

Clean control. Legitimate patterns a naive detector may flag: the objective itself changes every step
during warm-up (loss = rec + beta*KL), the KL term starts at ~0 and then *rises* steadily through the run
(0.06 -> ~6.7 nats) and, as beta ramps up, the weighted KL takes a growing share of the loss, so the
logged total loss is noisy/non-monotonic over stretches (e.g. 37.0 at step 192 -> 41.1 at step 224).
Measured healthy numbers: loss 147.0 at step 1 -> 31.6 at step 384; val reconstruction 25.7,
val KL 6.7, val -ELBO 32.4 (reconstruction term at init 147).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

Xn, _ = load_digits(return_X_y=True)
X = torch.tensor(Xn / 16.0, dtype=torch.float32)
perm = torch.randperm(len(X))
Xtr, Xva = X[perm[:1500]], X[perm[1500:]]


class VAE(nn.Module):
    def __init__(self, d=64, h=128, z=16):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        e = self.enc(x)
        mu, logvar = self.mu(e), self.logvar(e)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


def terms(model, x):
    logits, mu, logvar = model(x)
    rec = 0.5 * ((torch.sigmoid(logits) - x) ** 2).sum() / (x.shape[0] * dec_sigma ** 2)
    kl = -0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp()) / x.shape[0]
    return rec, kl


dec_sigma = 0.2  # fixed Gaussian decoder std (pixel units)
model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
warmup_steps = 200
step = 0
for epoch in range(16):
    p = torch.randperm(len(Xtr))
    for i in range(0, len(p), 64):
        xb = Xtr[p[i:i + 64]]
        beta = min(1.0, step / warmup_steps)
        rec, kl = terms(model, xb)
        loss = rec + beta * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 32 == 0 or step == 1:
            print(f"step {step:4d}  beta {beta:.2f}  loss {loss.item():8.3f}  rec {rec.item():8.3f}  kl {kl.item():7.3f}")

model.eval()
with torch.no_grad():
    rec, kl = terms(model, Xva)
    print(f"val rec {rec.item():.3f}  val kl {kl.item():.3f}  val -ELBO {(rec + kl).item():.3f}  steps {step}")

"""Healthy control: VAE on binarised load_digits (ELU MLP encoder/decoder, 8-d
latent, Bernoulli likelihood) with linear KL annealing (beta 0 -> 1 over the
first 3 epochs).

Pattern that may fool a naive detector: the optimised objective changes
during training (beta grows), so the printed loss barely moves during the
warm-up epochs (20.80 -> 20.73 between epochs 3 and 4) and the KL term is
non-monotonic (4.36 -> 4.27 -> 4.90); the reconstruction loss has a floor
well above zero because the posterior is stochastic.

Measured healthy numbers (376 steps): loss 27.1 (epoch 1, from ~44 = 64 ln 2
at init) -> 19.6, recon 26.5 -> 14.7, validation -ELBO 25.4 -> 19.9, no
posterior collapse (KL ~4.9 nats).
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

X = (load_digits().data >= 8).astype(np.float32)  # binarised digits, as for binarised MNIST
rng = np.random.default_rng(0)
perm = rng.permutation(len(X))
X_tr = torch.tensor(X[perm[:1500]])
X_va = torch.tensor(X[perm[1500:]])


class VAE(nn.Module):
    def __init__(self, d_in=64, hidden=128, latent=8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, hidden), nn.ELU(), nn.Linear(hidden, hidden), nn.ELU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ELU(),
                                 nn.Linear(hidden, hidden), nn.ELU(), nn.Linear(hidden, d_in))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


def vae_terms(model, x):
    logits, mu, logvar = model(x)
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(x)
    return recon, kl


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
BATCH, EPOCHS = 32, 8
steps_per_epoch = (len(X_tr) + BATCH - 1) // BATCH
warmup_steps = 3 * steps_per_epoch  # linear KL annealing, beta 0 -> 1

step = 0
for epoch in range(EPOCHS):
    model.train()
    idx = torch.randperm(len(X_tr))
    sums = np.zeros(3)
    for i in range(0, len(X_tr), BATCH):
        xb = X_tr[idx[i:i + BATCH]]
        beta = min(1.0, step / warmup_steps)
        recon, kl = vae_terms(model, xb)
        loss = recon + beta * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        sums += np.array([loss.item(), recon.item(), kl.item()]) * len(xb)
    sums /= len(X_tr)
    model.eval()
    with torch.no_grad():
        vr, vk = vae_terms(model, X_va)
    print(f"epoch {epoch+1:2d} beta {beta:.2f} loss {sums[0]:.2f} recon {sums[1]:.2f} kl {sums[2]:.2f} "
          f"| val -ELBO {vr.item() + vk.item():.2f}")

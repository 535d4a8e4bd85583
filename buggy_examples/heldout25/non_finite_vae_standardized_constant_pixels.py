"""VAE (MLP encoder/decoder, Bernoulli decoder, linear KL annealing over 8 epochs)
on sklearn digits. Adam, 240 steps.

Seeded bug: the encoder input is standardised per pixel with
(X - mean) / std, but several 8x8 digit pixels (for example the corners) are 0 in
every image, so their std is 0 and those columns become 0/0 = NaN. NaN goes into
the first Linear layer, so loss, gradients and then all weights are NaN from the
first step on.

Measured: rec BCE, KL and val recon MSE are nan in every epoch. With a
guard (std[std == 0] = 1): rec BCE 37.2 -> 23.4, KL ~2, val recon MSE
0.080 -> 0.041.
"""
# traindebug-expect: non_finite
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

LATENT = 8
HIDDEN = 128
EPOCHS = 20
BATCH = 128
LR = 2e-3
KL_WARMUP_EPOCHS = 8


class VAE(nn.Module):
    def __init__(self, d_in=64, hidden=HIDDEN, latent=LATENT):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.x_logits = nn.Linear(hidden, d_in)

    def encode(self, x):
        h = self.enc(x)
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        return self.x_logits(self.dec(z))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode(z), mu, logvar


def bernoulli_nll(logits, target):
    return F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(1)


def kl_standard_normal(mu, logvar):
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)


def main():
    X, _ = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)
    n_val = 297
    perm = torch.randperm(len(X))
    Xva, Xtr = X[perm[:n_val]], X[perm[n_val:]]
    # encoder sees standardised pixels, decoder reconstructs intensities in [0, 1]
    mean, std = Xtr.mean(0), Xtr.std(0)
    Ztr, Zva = (Xtr - mean) / std, (Xva - mean) / std
    Ttr, Tva = Xtr / 16.0, Xva / 16.0
    loader = DataLoader(TensorDataset(Ztr, Ttr), batch_size=BATCH, shuffle=True)

    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    steps_per_epoch = len(loader)
    t0 = time.time()
    step = 0
    for epoch in range(EPOCHS):
        model.train()
        rec_sum, kl_sum, nb = 0.0, 0.0, 0
        for xb, tb in loader:
            beta = min(1.0, step / (KL_WARMUP_EPOCHS * steps_per_epoch))
            x_logits, mu, logvar = model(xb)
            rec = bernoulli_nll(x_logits, tb).mean()
            kl = kl_standard_normal(mu, logvar).mean()
            loss = rec + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec_sum += rec.item()
            kl_sum += kl.item()
            nb += 1
            step += 1
        model.eval()
        with torch.no_grad():
            mu, _ = model.encode(Zva)
            mse = F.mse_loss(torch.sigmoid(model.decode(mu)), Tva).item()
        print(f"epoch {epoch:2d} step {step:4d} beta {beta:.2f} rec bce {rec_sum / nb:8.3f} "
              f"kl {kl_sum / nb:8.3f} val recon mse {mse:.4f}")
    print(f"{time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()

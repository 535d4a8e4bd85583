"""Conditional VAE (label-conditioned encoder and decoder, Gaussian decoder) on load_digits.

Seeded bug: the hand-written per-pixel standardiser divides by x.std(dim=0)
without guarding zero-variance pixels. Several border pixels of the 8x8 digits
are 0 in every training image, so their z-score is 0/0 = NaN. The NaN inputs
turn the first encoder activations, the loss and then all gradients/parameters
non-finite at the very first step.
Measured (12 epochs, 264 Adam steps): buggy rec/kl/val losses are nan from
step 1 to the end; fixed (std of constant pixels replaced by 1, as sklearn's
StandardScaler does) train rec 52.3 -> 23.2, val rec 22.4, val KL 6.2,
val pixel MAE 1.69 (pixel scale 0-16).
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(3)
rng = np.random.default_rng(3)

LATENT = 8
N_CLASSES = 10


class PixelStandardizer:
    """Per-pixel z-scoring fitted on the training images (Gaussian decoder works in this space)."""

    def fit(self, x):
        self.mean = x.mean(dim=0, keepdim=True)
        self.std = x.std(dim=0, keepdim=True)
        return self

    def transform(self, x):
        return (x - self.mean) / self.std

    def inverse(self, z):
        return z * self.std + self.mean


class CVAE(nn.Module):
    def __init__(self, d_in, d_cond, d_lat, hidden=96):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in + d_cond, hidden), nn.ELU(),
                                 nn.Linear(hidden, hidden), nn.ELU())
        self.to_mu = nn.Linear(hidden, d_lat)
        self.to_logvar = nn.Linear(hidden, d_lat)
        self.dec = nn.Sequential(nn.Linear(d_lat + d_cond, hidden), nn.ELU(),
                                 nn.Linear(hidden, hidden), nn.ELU(),
                                 nn.Linear(hidden, d_in))

    def encode(self, x, c):
        h = self.enc(torch.cat([x, c], dim=1))
        return self.to_mu(h), self.to_logvar(h)

    def decode(self, z, c):
        return self.dec(torch.cat([z, c], dim=1))

    def forward(self, x, c):
        mu, logvar = self.encode(x, c)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode(z, c), mu, logvar


def elbo_terms(x_hat, x, mu, logvar):
    rec = F.mse_loss(x_hat, x, reduction="none").sum(dim=1).mean()
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp())).sum(dim=1).mean()
    return rec, kl


def main():
    X, y = load_digits(return_X_y=True)
    perm = rng.permutation(len(X))
    X, y = torch.tensor(X[perm], dtype=torch.float32), torch.tensor(y[perm])
    n_tr = 1400
    xtr, ytr, xva, yva = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

    scaler = PixelStandardizer().fit(xtr)
    ztr, zva = scaler.transform(xtr), scaler.transform(xva)
    ctr = F.one_hot(ytr, N_CLASSES).float()
    cva = F.one_hot(yva, N_CLASSES).float()

    model = CVAE(ztr.shape[1], N_CLASSES, LATENT)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    bs, epochs = 64, 12
    step = 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n_tr)
        agg = np.zeros(2)
        nb = 0
        for i in range(0, n_tr, bs):
            j = order[i:i + bs]
            x_hat, mu, logvar = model(ztr[j], ctr[j])
            rec, kl = elbo_terms(x_hat, ztr[j], mu, logvar)
            beta = min(1.0, (step + 1) / 150)
            loss = rec + beta * kl
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 50.0)
            opt.step()
            agg += [rec.item(), kl.item()]
            nb += 1
            step += 1
        model.eval()
        with torch.no_grad():
            x_hat, mu, logvar = model(zva, cva)
            vrec, vkl = elbo_terms(x_hat, zva, mu, logvar)
            pix_err = (scaler.inverse(x_hat) - xva).abs().mean()
        if epoch % 3 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:2d} step {step}  rec {agg[0] / nb:.2f}  kl {agg[1] / nb:.2f}  "
                  f"val_rec {vrec.item():.2f}  val_kl {vkl.item():.2f}  val_pixel_mae {pix_err.item():.3f}")

    with torch.no_grad():
        z = torch.randn(10, LATENT)
        samples = scaler.inverse(model.decode(z, torch.eye(N_CLASSES)))
    print("generated sample intensity range:", float(samples.min()), float(samples.max()))


if __name__ == "__main__":
    main()

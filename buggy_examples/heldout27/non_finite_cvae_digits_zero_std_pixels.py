"""Conditional VAE (encoder and decoder conditioned on the one-hot digit class) on sklearn
digits, Gaussian reconstruction term on standardised pixels, Adam.

Seeded bug: the home-made Standardizer divides by the per-pixel std without an epsilon.
Several border pixels of the 8x8 digits are zero in every training image (std = 0), so
those input features become 0/0 = NaN. The NaNs reach the loss on the very first batch, the
first backward pass fills the gradients with NaN and every parameter is NaN after step 1.

Measured: rec/kl/val ELBO are nan at every epoch (252 steps); final prototype MAE nan.
With std + 1e-6 (fixed copy): rec 56.5 -> 22.6, val ELBO 44.7 -> 25.4.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(11)
np.random.seed(11)

LATENT, N_CLASSES, HIDDEN = 8, 10, 128
EPOCHS, BATCH, LR, BETA = 12, 64, 2e-3, 1.0


class Standardizer:
    def fit(self, X):
        self.mean = X.mean(axis=0, keepdims=True)
        self.std = X.std(axis=0, keepdims=True)
        return self

    def transform(self, X):
        return (X - self.mean) / self.std

    def inverse(self, Z):
        return Z * self.std + self.mean


class DigitsDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.as_tensor(X, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.long)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class CVAE(nn.Module):
    def __init__(self, x_dim=64, n_classes=N_CLASSES, hidden=HIDDEN, latent=LATENT):
        super().__init__()
        self.n_classes = n_classes
        self.enc = nn.Sequential(nn.Linear(x_dim + n_classes, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent + n_classes, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, x_dim))

    def encode(self, x, c):
        h = self.enc(torch.cat([x, c], dim=1))
        return self.mu(h), self.logvar(h)

    def decode(self, z, c):
        return self.dec(torch.cat([z, c], dim=1))

    def forward(self, x, y):
        c = F.one_hot(y, self.n_classes).float()
        mu, logvar = self.encode(x, c)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode(z, c), mu, logvar


def elbo_terms(x, x_hat, mu, logvar):
    rec = F.mse_loss(x_hat, x, reduction="none").sum(dim=1).mean()
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)).mean()
    return rec, kl


X, y = load_digits(return_X_y=True)
perm = np.random.permutation(len(X))
tr, va = perm[:1400], perm[1400:]
scaler = Standardizer().fit(X[tr])
train_ds = DigitsDataset(scaler.transform(X[tr]), y[tr])
val_ds = DigitsDataset(scaler.transform(X[va]), y[va])
loader = DataLoader(train_ds, batch_size=BATCH, shuffle=True, drop_last=True)

model = CVAE()
opt = torch.optim.Adam(model.parameters(), lr=LR)

step = 0
for epoch in range(EPOCHS):
    model.train()
    sums = np.zeros(2)
    for xb, yb in loader:
        x_hat, mu, logvar = model(xb, yb)
        rec, kl = elbo_terms(xb, x_hat, mu, logvar)
        loss = rec + BETA * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        sums += [rec.item(), kl.item()]
        step += 1
    if epoch % 3 == 2 or epoch == 0:
        model.eval()
        with torch.no_grad():
            x_hat, mu, logvar = model(val_ds.X, val_ds.y)
            vrec, vkl = elbo_terms(val_ds.X, x_hat, mu, logvar)
        print(f"epoch {epoch + 1:2d} step {step:4d} rec {sums[0] / len(loader):.3f} kl {sums[1] / len(loader):.3f} "
              f"val_elbo {(vrec + vkl).item():.3f}")

# conditional samples: one per class, report pixel error against class means (original units)
with torch.no_grad():
    model.eval()
    z = torch.zeros(N_CLASSES, LATENT)
    c = F.one_hot(torch.arange(N_CLASSES), N_CLASSES).float()
    samples = scaler.inverse(model.decode(z, c).numpy())
class_means = np.stack([X[tr][y[tr] == k].mean(0) for k in range(N_CLASSES)])
print(f"final val_elbo {(vrec + vkl).item():.3f} prototype_mae {np.abs(samples - class_means).mean():.3f}")

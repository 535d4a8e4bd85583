"""Denoising autoencoder on sklearn digits with a custom cosine noise schedule (Gaussian
noise + pixel dropout annealed over training), Adam, explicit L2 penalty.

Seeded bug: the L2 penalty is the *sum* of squared entries of every weight matrix, with a
coefficient l2=1e-2 (a "typical weight-decay value"), added to a reconstruction loss that
is a per-pixel *mean* (~0.08-0.15). At init the penalty term is ~1.1, about 7x the
reconstruction term, and it keeps dominating: the summed squared weight norm collapses
from ~112 to 1.4 and the decoder outputs little more than the mean image.

Measured (this script vs. a copy with l2=1e-5): final val denoising MSE 0.0813 vs 0.0255,
clean-input val MSE 0.0813 vs 0.0218; the mean-image baseline is 0.0732, so the buggy
model is worse than predicting the average digit.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(1)
g = torch.Generator().manual_seed(1)

CFG = dict(epochs=14, batch_size=64, lr=2e-3, l2=1e-2, code=12,
           noise_start=0.5, noise_end=0.15, drop_start=0.3, drop_end=0.05)

digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
perm = torch.randperm(len(X), generator=g)
X_tr, X_va = X[perm[:1400]], X[perm[1400:]]


def noise_level(epoch, n_epochs, start, end):
    """Cosine schedule: heavy corruption early, gentle corruption late."""
    t = epoch / max(1, n_epochs - 1)
    return end + 0.5 * (start - end) * (1 + np.cos(np.pi * t))


def corrupt(x, sigma, p_drop):
    x = x + sigma * torch.randn(x.shape, generator=g)
    keep = (torch.rand(x.shape, generator=g) > p_drop).float()
    return (x * keep).clamp(0, 1)


class DAE(nn.Module):
    def __init__(self, code):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(64, 128), nn.ELU(), nn.Linear(128, code))
        self.dec = nn.Sequential(nn.Linear(code, 128), nn.ELU(), nn.Linear(128, 64))

    def forward(self, x):
        return torch.sigmoid(self.dec(self.enc(x)))


model = DAE(CFG["code"])
opt = torch.optim.Adam(model.parameters(), lr=CFG["lr"])
baseline = F.mse_loss(X_va, X_tr.mean(0, keepdim=True).expand_as(X_va)).item()
print(f"mean-image baseline val MSE {baseline:.4f}")

steps = 0
for epoch in range(CFG["epochs"]):
    sigma = noise_level(epoch, CFG["epochs"], CFG["noise_start"], CFG["noise_end"])
    p_drop = noise_level(epoch, CFG["epochs"], CFG["drop_start"], CFG["drop_end"])
    model.train()
    order = torch.randperm(len(X_tr), generator=g)
    rec_sum = 0.0
    for i in range(0, len(X_tr), CFG["batch_size"]):
        clean = X_tr[order[i:i + CFG["batch_size"]]]
        recon = model(corrupt(clean, sigma, p_drop))
        rec = F.mse_loss(recon, clean)
        l2 = sum(p.pow(2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
        loss = rec + CFG["l2"] * l2
        opt.zero_grad()
        loss.backward()
        opt.step()
        rec_sum += rec.item() * len(clean)
        steps += 1
    model.eval()
    with torch.no_grad():
        va = F.mse_loss(model(corrupt(X_va, 0.15, 0.05)), X_va).item()
        va_clean = F.mse_loss(model(X_va), X_va).item()
    if epoch % 2 == 0 or epoch == CFG["epochs"] - 1:
        print(f"epoch {epoch:2d} sigma {sigma:.2f} drop {p_drop:.2f} train_rec {rec_sum / len(X_tr):.4f} "
              f"l2 {l2.item():.2f} val_denoise_mse {va:.4f} val_clean_mse {va_clean:.4f}")
print("optimizer steps:", steps)

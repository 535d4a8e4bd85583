"""Compressive autoencoder for the 8x8 sklearn digits with an integer-quantised
bottleneck (a toy learned-compression model: 12 latent channels quantised to
integers in [-4, 4]).

Seeded bug (no_gradient_flow): the bottleneck is quantised with a plain
``torch.round`` in the training forward pass.  ``round`` has a derivative of
zero everywhere, so the reconstruction loss sends exactly zero gradient into
the encoder: every encoder parameter has ``requires_grad=True`` and a ``.grad``
tensor, but it is all zeros on every step and the encoder never moves from its
random initialisation.  Only the decoder learns (from random integer codes).
The usual fix is a straight-through estimator,
``z + (torch.round(z) - z).detach()``.

Measured (seed 0, 264 Adamax steps): buggy run - max |grad| of every encoder
parameter is exactly 0.0 at every step; the random encoder only produces 3
distinct code values; train MSE 0.0730 (flat from epoch 2 on), test MSE 0.074.
Fixed copy (straight-through rounding): train MSE 0.038, test MSE 0.037, 9
distinct code values, still improving at the end.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

HP = {"latent": 12, "levels": 4, "hidden": 128, "lr": 2e-3, "batch": 64, "epochs": 12}


class Quantizer(nn.Module):
    def __init__(self, levels):
        super().__init__()
        self.levels = levels

    def forward(self, z):
        z = self.levels * torch.tanh(z)          # bounded range [-L, L]
        return torch.round(z)


class CompressiveAE(nn.Module):
    def __init__(self, d_in, hidden, latent, levels):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, latent),
        )
        self.quant = Quantizer(levels)
        self.decoder = nn.Sequential(
            nn.Linear(latent, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, d_in),
        )
        self.levels = levels

    def forward(self, x):
        codes = self.quant(self.encoder(x))
        return self.decoder(codes / self.levels), codes


def main():
    X = load_digits().data.astype(np.float32) / 16.0
    rng = np.random.RandomState(0)
    perm = rng.permutation(len(X))
    Xtr = torch.from_numpy(X[perm[:1400]])
    Xte = torch.from_numpy(X[perm[1400:]])

    model = CompressiveAE(64, HP["hidden"], HP["latent"], HP["levels"])
    opt = torch.optim.Adamax(model.parameters(), lr=HP["lr"])

    n = len(Xtr)
    step = 0
    for epoch in range(HP["epochs"]):
        model.train()
        order = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, HP["batch"]):
            xb = Xtr[order[i:i + HP["batch"]]]
            recon, codes = model(xb)
            loss = F.mse_loss(recon, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(xb)
            step += 1
        if epoch % 3 == 2:
            model.eval()
            with torch.no_grad():
                rec, codes = model(Xte)
                te = F.mse_loss(rec, Xte).item()
                used = codes.unique().numel()
            print(f"epoch {epoch:2d} step {step} train_mse {tot / n:.4f} "
                  f"test_mse {te:.4f} distinct_code_values {used}")


if __name__ == "__main__":
    main()

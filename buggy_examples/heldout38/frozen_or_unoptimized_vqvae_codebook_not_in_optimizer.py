"""VQ-VAE (van den Oord et al. 2017) on 8x8 sklearn digits.

Conv encoder (1->16->32->16 channels, stride-2) gives a 4x4 grid of 16-d latents that are
snapped to the nearest of 32 codebook vectors (nn.Embedding, uniform(-1/K, 1/K) init as
in the reference implementation); straight-through estimator; transposed-conv decoder.
Loss = MSE reconstruction + codebook loss + 0.25 * commitment loss.  Adam 2e-3, batch
64, 7 epochs (154 optimizer steps), dataclass config.

Seeded bug: the encoder, quantizer and decoder are separate modules and the optimizer is
built from `chain(encoder.parameters(), decoder.parameters())`; the quantizer's codebook
is left out.  The codebook loss still back-propagates into `codebook.weight`, so it
gets a gradient every step, but it never moves: all 32 codes stay at their tiny
initial values, and the decoder only ever sees near-zero, nearly identical latents.

Measured (seed 0): buggy final test reconstruction MSE 0.0436 (on pixels scaled to
[0, 1]; 14/32 codes used); fixed copy (codebook added to the optimizer) test MSE 0.0263
(19/32 codes used).
"""
# traindebug-expect: frozen_or_unoptimized
from dataclasses import dataclass
from itertools import chain

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class Config:
    n_codes: int = 32
    code_dim: int = 16
    beta: float = 0.25
    lr: float = 2e-3
    batch_size: int = 64
    epochs: int = 7
    seed: int = 0


class Encoder(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, d, 1),
        )

    def forward(self, x):
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(d, 32, 3, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1),
        )

    def forward(self, z):
        return self.net(z)


class VectorQuantizer(nn.Module):
    def __init__(self, n_codes, d, beta):
        super().__init__()
        self.codebook = nn.Embedding(n_codes, d)
        self.codebook.weight.data.uniform_(-1.0 / n_codes, 1.0 / n_codes)
        self.beta = beta

    def forward(self, z_e):
        B, D, H, W = z_e.shape
        flat = z_e.permute(0, 2, 3, 1).reshape(-1, D)
        dist = (flat.pow(2).sum(1, keepdim=True)
                - 2 * flat @ self.codebook.weight.t()
                + self.codebook.weight.pow(2).sum(1))
        idx = dist.argmin(1)
        z_q = self.codebook(idx).view(B, H, W, D).permute(0, 3, 1, 2)
        codebook_loss = F.mse_loss(z_q, z_e.detach())
        commit_loss = F.mse_loss(z_e, z_q.detach())
        z_q = z_e + (z_q - z_e).detach()
        return z_q, codebook_loss + self.beta * commit_loss, idx


def main(cfg: Config):
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    X = (load_digits().data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    X_tr, X_te = train_test_split(X, test_size=0.25, random_state=0)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)

    encoder = Encoder(cfg.code_dim)
    quantizer = VectorQuantizer(cfg.n_codes, cfg.code_dim, cfg.beta)
    decoder = Decoder(cfg.code_dim)
    opt = torch.optim.Adam(chain(encoder.parameters(), decoder.parameters()), lr=cfg.lr)

    def run(x):
        z_q, vq_loss, idx = quantizer(encoder(x))
        return decoder(z_q), vq_loss, idx

    n = len(X_tr)
    for epoch in range(cfg.epochs):
        perm = torch.randperm(n)
        rec_sum = 0.0
        for i in range(0, n, cfg.batch_size):
            xb = X_tr[perm[i:i + cfg.batch_size]]
            recon, vq_loss, _ = run(xb)
            rec = F.mse_loss(recon, xb)
            loss = rec + vq_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec_sum += rec.item() * len(xb)
        with torch.no_grad():
            recon, _, idx = run(X_te)
            test_mse = F.mse_loss(recon, X_te).item()
            used = idx.unique().numel()
        if epoch % 2 == 0 or epoch == cfg.epochs - 1:
            print(f"epoch {epoch + 1:2d}  train recon {rec_sum / n:.4f}  test recon {test_mse:.4f}  codes used {used}/{cfg.n_codes}")
    print(f"final: test reconstruction MSE {test_mse:.4f}")


if __name__ == "__main__":
    main(Config())

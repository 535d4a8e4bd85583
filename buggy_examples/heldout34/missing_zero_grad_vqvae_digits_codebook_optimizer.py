"""
VQ-VAE on sklearn digits (8x8, scaled to [0, 1]). MLP encoder 64 -> 128 -> 4x8 (4 latent
slots of dimension 8), codebook of 32 vectors (initialised from encoder outputs of 256 training images), straight-through estimator, MLP decoder back
to 64 pixels with a sigmoid output. Loss = reconstruction MSE + commitment (beta 0.25) +
codebook loss ||sg(z_e) - e||^2 (squared distances summed over the code dimension). Encoder/decoder use Adam lr 2e-3; the codebook has its own
SGD optimizer with momentum 0.9 and lr 0.5. Batch 128 from a DataLoader, 15 epochs (180 steps),
reconstruction MSE reported on a 20% held-out split.

Seeded bug: the codebook optimizer was added after the training loop had been written;
`optimizer.zero_grad()` only clears the encoder/decoder parameters, and nobody calls
`codebook_opt.zero_grad()`. The codebook's .grad therefore keeps the running sum of all past
gradients, so each SGD step applies the whole history again: codes overshoot the encoder
outputs and keep swinging, few codes stay in use and the reconstructions are poor.
Fix: `codebook_opt.zero_grad()` next to `optimizer.zero_grad()`.

Measured (seed 0, 1 thread): buggy: final train recon MSE 0.185, test recon MSE 0.195,
codes in use 1/32. Fixed copy: final train recon MSE 0.072, test recon MSE 0.072,
codes in use 6/32.
"""
# traindebug-expect: missing_zero_grad
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SLOTS, CODE_DIM, N_CODES, BETA = 4, 8, 32, 0.25

x = load_digits().data.astype(np.float32) / 16.0
x_tr, x_te = train_test_split(x, test_size=0.2, random_state=0)
train_loader = DataLoader(TensorDataset(torch.tensor(x_tr)), batch_size=128, shuffle=True)
x_te = torch.tensor(x_te)


class VQVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, SLOTS * CODE_DIM))
        self.decoder = nn.Sequential(nn.Linear(SLOTS * CODE_DIM, 128), nn.ReLU(), nn.Linear(128, 64), nn.Sigmoid())
        self.codebook = nn.Embedding(N_CODES, CODE_DIM)

    def quantize(self, z_e):
        flat = z_e.reshape(-1, CODE_DIM)
        dist = torch.cdist(flat, self.codebook.weight)
        idx = dist.argmin(1)
        z_q = self.codebook(idx).view_as(z_e)
        return z_q, idx

    def forward(self, xb):
        z_e = self.encoder(xb).view(-1, SLOTS, CODE_DIM)
        z_q, idx = self.quantize(z_e)
        codebook_loss = (z_q - z_e.detach()).pow(2).sum(-1).mean()
        commit_loss = (z_e - z_q.detach()).pow(2).sum(-1).mean()
        z_st = z_e + (z_q - z_e).detach()
        recon = self.decoder(z_st.flatten(1))
        return recon, codebook_loss, commit_loss, idx


model = VQVAE()
with torch.no_grad():
    z0 = model.encoder(torch.tensor(x_tr[:256])).reshape(-1, CODE_DIM)
    model.codebook.weight.copy_(z0[torch.randperm(len(z0))[:N_CODES]])
ae_params = list(model.encoder.parameters()) + list(model.decoder.parameters())
optimizer = torch.optim.Adam(ae_params, lr=2e-3)
codebook_opt = torch.optim.SGD(model.codebook.parameters(), lr=0.5, momentum=0.9)

t0 = time.time()
for epoch in range(1, 16):
    model.train()
    for (xb,) in train_loader:
        recon, cb_loss, commit, idx = model(xb)
        rec_loss = F.mse_loss(recon, xb)
        loss = rec_loss + cb_loss + BETA * commit
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        codebook_opt.step()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  recon {rec_loss.item():.4f}  codebook {cb_loss.item():.4f}  "
              f"codes used {idx.unique().numel()}")

model.eval()
with torch.no_grad():
    recon, _, _, idx = model(x_te)
    test_mse = F.mse_loss(recon, x_te).item()
print(f"final train recon mse {rec_loss.item():.4f}  test recon mse {test_mse:.4f}  "
      f"codes in use {idx.unique().numel()}/{N_CODES}")
print(f"time {time.time() - t0:.1f}s")

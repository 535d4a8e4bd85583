"""Seeded bug: a VAE (reconstruction + KL) on digits whose optimizer is built
from parameter groups selected by name prefix - the encoder trunk and the
fc_mu / fc_logvar heads with their own learning rates - and the decoder.*
parameters fall into no group. They get gradients but never change, so the
decoder stays a random network; the negative ELBO ends at ~44 per image vs
~24-26 with the decoder in the optimizer (measured)."""
# traindebug-expect: frozen_or_unoptimized
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(self, d=64, h=128, z=8):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.fc_mu = nn.Linear(h, z)
        self.fc_logvar = nn.Linear(h, z)
        self.decoder = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        h = self.encoder(x)
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decoder(z), mu, logvar


def vae_loss(recon_logits, x, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="sum") / len(x)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(x)
    return rec + kl


torch.manual_seed(0)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
model = VAE()
encoder_params = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
head_params = [p for n, p in model.named_parameters() if n.startswith("fc_")]
opt = torch.optim.Adam([
    {"params": encoder_params, "lr": 1e-3},
    {"params": head_params, "lr": 2e-3},
])  # BUG: the decoder.* parameters are in no group
loader = torch.utils.data.DataLoader(X, batch_size=64, shuffle=True)
for epoch in range(11):
    for xb in loader:
        recon, mu, logvar = model(xb)
        loss = vae_loss(recon, xb, mu, logvar)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, round(loss.item(), 2))

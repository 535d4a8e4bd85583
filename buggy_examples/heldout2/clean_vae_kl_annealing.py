"""clean: a VAE on digits with a summed (per-image) reconstruction loss that
legitimately starts around 45 and a KL term annealed in over the first 100
steps (beta warm-up), so the total loss first falls and then rises a little
while beta grows; the decoder and encoder are trained with one Adam."""
# traindebug-expect: clean
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn


class VAE(nn.Module):
    def __init__(self, d=64, h=128, z=8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, 2 * z))
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


torch.manual_seed(0)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loader = torch.utils.data.DataLoader(X, batch_size=64, shuffle=True)
step = 0
for epoch in range(11):
    for xb in loader:
        beta = min(1.0, step / 100)
        recon, mu, logvar = model(xb)
        rec = F.binary_cross_entropy_with_logits(recon, xb, reduction="sum") / len(xb)
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(xb)
        loss = rec + beta * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    print(epoch, round(rec.item(), 2), round(kl.item(), 2))

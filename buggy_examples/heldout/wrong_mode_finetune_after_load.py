"""Seeded bug: a denoising autoencoder (BatchNorm + Dropout) is "restored from a
checkpoint" and put in eval() for a sanity check, then fine-tuned without
switching back to train(): dropout is off and BatchNorm uses running stats."""
# traindebug-expect: wrong_mode
import io

import torch
from sklearn.datasets import load_digits
from torch import nn


class DenoisingAE(nn.Module):
    def __init__(self, d=64, h=32):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, h))
        self.decoder = nn.Sequential(nn.Linear(h, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, d))

    def forward(self, x):
        return self.decoder(self.encoder(x))


torch.manual_seed(0)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)

model = DenoisingAE()
buf = io.BytesIO()
torch.save(model.state_dict(), buf)
buf.seek(0)
model.load_state_dict(torch.load(buf))
model.eval()
with torch.no_grad():
    print("reconstruction before fine-tuning:", nn.functional.mse_loss(model(X), X).item())

# BUG: no model.train() before fine-tuning
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X), batch_size=64, shuffle=True)
for epoch in range(10):
    for (xb,) in loader:
        noisy = xb + 0.1 * torch.randn_like(xb)
        loss = nn.functional.mse_loss(model(noisy), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())

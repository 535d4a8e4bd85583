"""Convolutional autoencoder on 16x16 images of Gaussian blobs.

Seeded bug: a custom init loop sets every Conv2d / ConvTranspose2d weight to
N(0, 1) (std=1.0 instead of a fan-in scaled std).  Activations grow by ~5-10x
per layer, so the reconstruction at step 0 is of order 1e3 or more for inputs in
[0, 1].

Measured at init: activation std per layer 0.31, 0.26, 2.2, 1.4, 15.8, 10.8,
55, 267, 163, 1.5e3, 832, 6.4e3; step-0 MSE ~4e7.  After 200 Adam steps
test MSE ~8e5 (predict-mean baseline 0.033).  With kaiming_normal_ init:
test MSE 0.0013.
"""
# traindebug-expect: bad_init_scale

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(5)
np.random.seed(5)
torch.set_num_threads(1)

# 16x16 images of 1-3 anisotropic Gaussian blobs (e.g. simulated detector hits)
G = 16
yy, xx = np.mgrid[0:G, 0:G].astype(np.float32)
def make_images(n):
    imgs = np.zeros((n, G, G), np.float32)
    for i in range(n):
        for _ in range(np.random.randint(1, 4)):
            cx, cy = np.random.uniform(2, G - 2, 2)
            sx, sy = np.random.uniform(0.8, 2.5, 2)
            amp = np.random.uniform(0.5, 1.0)
            imgs[i] += amp * np.exp(-((xx - cx) ** 2 / (2 * sx ** 2) + (yy - cy) ** 2 / (2 * sy ** 2)))
    return np.clip(imgs, 0, 1)[:, None]

Xtr = torch.from_numpy(make_images(768))
Xte = torch.from_numpy(make_images(192))


class ConvAE(nn.Module):
    def __init__(self, c=8, latent=8):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.ReLU(),      # 8x8
            nn.Conv2d(2 * c, 2 * c, 3, stride=2, padding=1), nn.ReLU(),  # 4x4
            nn.Conv2d(2 * c, latent, 1),
        )
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(latent, 2 * c, 4, stride=2, padding=1), nn.ReLU(),  # 8x8
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.ReLU(),       # 16x16
            nn.Conv2d(c, 1, 3, padding=1),
        )
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, mean=0.0, std=1.0)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.dec(self.enc(x))


model = ConvAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
mse = nn.MSELoss()

steps, bs = 200, 32
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    xb = Xtr[bi]
    loss = mse(model(xb), xb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == steps - 1:
        with torch.no_grad():
            te = mse(model(Xte), Xte).item()
        print(f"step {step:4d}  train {loss.item():.5g}  test {te:.5g}")

with torch.no_grad():
    te = mse(model(Xte), Xte).item()
print(f"final test MSE {te:.5g}  (predict-mean baseline {Xte.var().item():.5g})")

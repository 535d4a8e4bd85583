"""
Implicit neural representation: a SIREN (Sitzmann et al. 2020) fitted to one 8x8 digit from
load_digits, bicubically upsampled to 32x32 and scaled to [-1, 1]. Input is the (x, y)
coordinate grid in [-1, 1]^2, network 2 -> 128 -> 128 -> 128 -> 1 with sin activations:
first layer sin(30 * (W x + b)) with W ~ U(-1/2, 1/2), hidden layers sin(30 * (W h + b)) with
W ~ U(-sqrt(6/128)/30, +), linear output. Full batch of 1024 coordinates, Adam lr 1e-4,
300 steps; reports MSE and PSNR on the training grid and on an offset (half-pixel shifted)
grid.

Healthy control: this is the published SIREN recipe and it fits the image to high PSNR.
Possible false alarm: the first layer multiplies its pre-activations by omega_0 = 30, so they
span roughly +-15 rad and the sin units look "saturated"/exploding to a naive scale check;
the activations are periodic and deliberately sweep many periods; hidden weights are tiny
(~0.007) by design; and the loss falls by several orders of magnitude to ~1e-4, which can
look like a collapsed or vanishing signal.

Measured (seed 0, 1 thread): initial MSE 0.54 (PSNR 8.7 dB), final train MSE 4.6e-6 (PSNR
59.4 dB on the [-1, 1] image), offset-grid PSNR 45.9 dB.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)


class SineLayer(nn.Module):
    def __init__(self, n_in, n_out, omega_0=30.0, is_first=False):
        super().__init__()
        self.omega_0 = omega_0
        self.linear = nn.Linear(n_in, n_out)
        with torch.no_grad():
            bound = 1.0 / n_in if is_first else math.sqrt(6.0 / n_in) / omega_0
            self.linear.weight.uniform_(-bound, bound)

    def forward(self, x):
        return torch.sin(self.omega_0 * self.linear(x))


class Siren(nn.Module):
    def __init__(self, hidden=128, depth=3):
        super().__init__()
        layers = [SineLayer(2, hidden, is_first=True)]
        layers += [SineLayer(hidden, hidden) for _ in range(depth - 1)]
        self.net = nn.Sequential(*layers)
        self.out = nn.Linear(hidden, 1)
        with torch.no_grad():
            bound = math.sqrt(6.0 / hidden) / 30.0
            self.out.weight.uniform_(-bound, bound)

    def forward(self, coords):
        return self.out(self.net(coords))


def coord_grid(n, offset=0.0):
    lin = (torch.arange(n, dtype=torch.float32) + 0.5 + offset) / n * 2 - 1
    yy, xx = torch.meshgrid(lin, lin, indexing="ij")
    return torch.stack([xx, yy], dim=-1).reshape(-1, 2)


def psnr(mse, peak_to_peak=2.0):
    return 10 * math.log10(peak_to_peak ** 2 / mse)


SIZE = 32
digit = torch.tensor(load_digits().images[0], dtype=torch.float32)[None, None] / 16.0
image = F.interpolate(digit, size=(SIZE, SIZE), mode="bicubic", align_corners=False).clamp(0, 1)
target = (image * 2 - 1).reshape(-1, 1)
coords = coord_grid(SIZE)

fine = F.interpolate(digit, size=(2 * SIZE, 2 * SIZE), mode="bicubic", align_corners=False).clamp(0, 1)
fine_target = (fine[0, 0, 1::2, 1::2] * 2 - 1).reshape(-1, 1)
offset_coords = coord_grid(SIZE, offset=0.25)

model = Siren()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)

for step in range(1, 301):
    pred = model(coords)
    loss = F.mse_loss(pred, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step == 1 or step % 60 == 0:
        print(f"step {step:3d}  mse {loss.item():.2e}  psnr {psnr(loss.item()):.1f} dB")

with torch.no_grad():
    train_mse = F.mse_loss(model(coords), target).item()
    off_mse = F.mse_loss(model(offset_coords), fine_target).item()
print(f"final: train mse {train_mse:.2e}  train psnr {psnr(train_mse):.1f} dB  "
      f"offset-grid psnr {psnr(off_mse):.1f} dB")

"""
Seeded bug: the optimizer is created inside build_model() from the default
(grayscale) SIREN, and only afterwards does setup() swap in a new 3-channel
output layer for the RGB target. The new head receives gradients every step but
is not in the optimizer, so it stays at its random initialisation and the sine
trunk must fit the image through a fixed random projection.
Measured (seed 0): final full-image MSE 0.186 / PSNR 13.3 dB (buggy, loss flat
from step 50 on) vs MSE 0.00013 / PSNR 44.8 dB when the
optimizer is built after the head is replaced.
"""
# traindebug-expect: frozen_or_unoptimized
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


@dataclass
class Cfg:
    res: int = 48
    hidden: int = 64
    layers: int = 3
    omega0: float = 30.0
    lr: float = 1e-3
    steps: int = 300
    batch: int = 1024
    out_channels: int = 3


def make_image(res):
    ys, xs = np.meshgrid(np.linspace(-1, 1, res), np.linspace(-1, 1, res), indexing="ij")
    r = np.sqrt(xs ** 2 + ys ** 2)
    red = 0.5 + 0.5 * np.cos(6 * r) * np.exp(-r)
    green = 0.5 + 0.4 * np.sin(4 * xs + 2 * ys)
    blue = (np.abs(xs - 0.3 * ys) < 0.25).astype(np.float64) * 0.8 + 0.1
    img = np.stack([red, green, blue], -1).astype(np.float32)
    coords = np.stack([xs, ys], -1).astype(np.float32)
    return torch.from_numpy(coords.reshape(-1, 2)), torch.from_numpy(img.reshape(-1, 3) * 2 - 1)


class SineLayer(nn.Module):
    def __init__(self, fan_in, fan_out, omega0, first=False):
        super().__init__()
        self.omega0 = omega0
        self.linear = nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            bound = 1.0 / fan_in if first else math.sqrt(6.0 / fan_in) / omega0
            self.linear.weight.uniform_(-bound, bound)

    def forward(self, x):
        return torch.sin(self.omega0 * self.linear(x))


class Siren(nn.Module):
    def __init__(self, cfg, out_channels=1):
        super().__init__()
        blocks = [SineLayer(2, cfg.hidden, cfg.omega0, first=True)]
        for _ in range(cfg.layers - 1):
            blocks.append(SineLayer(cfg.hidden, cfg.hidden, cfg.omega0))
        self.trunk = nn.Sequential(*blocks)
        self.head = self.make_head(cfg, out_channels)

    @staticmethod
    def make_head(cfg, out_channels):
        head = nn.Linear(cfg.hidden, out_channels)
        with torch.no_grad():
            b = math.sqrt(6.0 / cfg.hidden) / cfg.omega0
            head.weight.uniform_(-b, b)
            head.bias.zero_()
        return head

    def forward(self, x):
        return self.head(self.trunk(x))


def build_model(cfg):
    model = Siren(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    return model, opt


def setup(cfg):
    model, opt = build_model(cfg)
    if cfg.out_channels != 1:
        model.head = Siren.make_head(cfg, cfg.out_channels)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.steps, eta_min=cfg.lr * 0.1)
    return model, opt, sched


def psnr(mse):
    # images live in [-1, 1] -> peak-to-peak 2
    return 10 * math.log10(4.0 / mse)


def main():
    cfg = Cfg()
    coords, pixels = make_image(cfg.res)
    model, opt, sched = setup(cfg)
    g = torch.Generator().manual_seed(1)
    for step in range(1, cfg.steps + 1):
        idx = torch.randint(0, coords.shape[0], (cfg.batch,), generator=g)
        pred = model(coords[idx])
        loss = ((pred - pixels[idx]) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0:
            with torch.no_grad():
                full = ((model(coords) - pixels) ** 2).mean().item()
            print(f"step {step:4d}  batch mse {loss.item():.5f}  full mse {full:.5f}  psnr {psnr(full):.2f} dB")
    with torch.no_grad():
        full = ((model(coords) - pixels) ** 2).mean().item()
    print(f"final full-image mse {full:.5f}  psnr {psnr(full):.2f} dB")


if __name__ == "__main__":
    main()

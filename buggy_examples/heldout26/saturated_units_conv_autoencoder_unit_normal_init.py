"""Convolutional autoencoder (Conv2d encoder, ConvTranspose2d decoder, tanh
hidden activations, sigmoid output) on sklearn's 8x8 digits scaled to [0, 1].

Seeded bug (saturated_units): the custom `gaussian_init` re-initialises every
Conv2d / ConvTranspose2d / Linear weight with N(0, std) where `--init-std`
defaults to 1.0 (the usual choice is ~0.02 or PyTorch's fan-in scaled
default). With fan-ins of 108-512 the deeper tanh pre-activations have std
of several units to tens of units: at init 54%, 95% and 71% of the outputs of
the 2nd-4th tanh layers have |tanh| > 0.995, and 42% of the output sigmoid
values are within 1e-3 of 0 or 1, so gradients through them are tiny.

Measured (8 epochs x 23 Adam steps = 184 steps): test MSE 0.335 after epoch
0 and 0.145 at the end -- still about twice the predict-the-mean-image
baseline of 0.0736. Fixed copy (default PyTorch init, the `model.apply` line
removed): test MSE 0.071 -> 0.0155.
"""
# traindebug-expect: saturated_units
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


def get_args():
    p = argparse.ArgumentParser(description="conv autoencoder on 8x8 digits")
    p.add_argument("--latent", type=int, default=12)
    p.add_argument("--channels", type=int, default=12)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--init-std", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


class ConvAutoEncoder(nn.Module):
    def __init__(self, ch, latent):
        super().__init__()
        self.ch = ch
        self.encoder = nn.Sequential(
            nn.Conv2d(1, ch, 3, padding=1), nn.Tanh(),
            nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1), nn.Tanh(),   # 4x4
            nn.Flatten(),
            nn.Linear(2 * ch * 16, latent),
        )
        self.expand = nn.Linear(latent, 2 * ch * 16)
        self.decoder = nn.Sequential(
            nn.Tanh(),
            nn.ConvTranspose2d(2 * ch, ch, 4, stride=2, padding=1), nn.Tanh(),  # 8x8
            nn.Conv2d(ch, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        z = self.encoder(x)
        h = self.expand(z).view(-1, 2 * self.ch, 4, 4)
        return self.decoder(h)


def gaussian_init(std):
    def _init(m):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, std)
            nn.init.zeros_(m.bias)
    return _init


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    x_tr, x_te = train_test_split(x, test_size=0.2, random_state=args.seed)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(x_tr)), batch_size=args.batch_size, shuffle=True)
    x_te = torch.from_numpy(x_te)

    model = ConvAutoEncoder(args.channels, args.latent)
    model.apply(gaussian_init(args.init_std))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    crit = nn.MSELoss()
    baseline = crit(x_te, x_te.mean(0, keepdim=True).expand_as(x_te)).item()
    print(f"mean-image baseline mse {baseline:.4f}")

    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for (xb,) in train_dl:
            opt.zero_grad()
            loss = crit(model(xb), xb)
            loss.backward()
            opt.step()
            running += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            te = crit(model(x_te), x_te).item()
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:2d}  train mse {running / len(x_tr):.4f}  test mse {te:.4f}")


if __name__ == "__main__":
    main()

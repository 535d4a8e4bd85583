"""Convolutional autoencoder on 8x8 sklearn digits (pixels / 16): Conv2d encoder,
tanh 12-d code, Linear + ConvTranspose2d decoder with tanh hidden layers and a
sigmoid output; RMSprop + StepLR, 10 epochs x 21 steps, MSE reconstruction.

Seeded bug: the custom `init_weights` hook draws every conv / deconv / linear
weight from N(0, 1) (std=1.0 instead of a fan-in-scaled init). With 144-512
fan-in, the tanh pre-activations are many units wide, so most tanh units sit on
their flat tails (|tanh| > 0.995 for 62%, 78%, 36%, 65% of the outputs of the
2nd encoder conv, code layer, decoder linear and deconv at step 0; 18% of the
output sigmoids as well) and pass almost no gradient.

Measured: buggy val MSE 0.304 (epoch 1) -> 0.159 (epoch 9), worse than just
predicting the mean image (0.074). With xavier_normal_(gain=5/3): 0 units
saturated, val MSE 0.074 -> 0.037.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(21)


class DigitImages(Dataset):
    def __init__(self, images):
        self.x = torch.tensor(images / 16.0, dtype=torch.float32).unsqueeze(1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


class ConvAE(nn.Module):
    def __init__(self, code=12):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.Tanh(),    # 8 -> 4
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.Tanh(),   # 4 -> 2
            nn.Flatten(),
            nn.Linear(32 * 2 * 2, code), nn.Tanh(),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code, 32 * 2 * 2), nn.Tanh(),
            nn.Unflatten(1, (32, 2, 2)),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.Tanh(),  # 2 -> 4
            nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1),              # 4 -> 8
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, mean=0.0, std=1.0)
        nn.init.zeros_(m.bias)


def evaluate(model, loader):
    model.eval()
    tot, n = 0.0, 0
    with torch.no_grad():
        for xb in loader:
            tot += nn.functional.mse_loss(model(xb), xb, reduction="sum").item()
            n += xb.numel()
    model.train()
    return tot / n


def main():
    digits = load_digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(digits.images))
    train_ds = DigitImages(digits.images[order[:1400]])
    val_ds = DigitImages(digits.images[order[1400:]])
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
    val_dl = DataLoader(val_ds, batch_size=256)

    model = ConvAE()
    model.apply(init_weights)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    crit = nn.MSELoss()

    baseline = ((val_ds.x - train_ds.x.mean(0)) ** 2).mean().item()
    print(f"mean-image baseline val mse {baseline:.4f}")
    for epoch in range(10):
        losses = []
        for xb in train_dl:
            recon = model(xb)
            loss = crit(recon, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
        if epoch % 2 == 1 or epoch == 9:
            print(f"epoch {epoch:2d} train_mse {np.mean(losses):.4f} val_mse {evaluate(model, val_dl):.4f}")


if __name__ == "__main__":
    main()

"""LSTM sequence autoencoder on a synthetic sensor series with logger outages.

Seeded bug (non_finite): each window is z-scored with (w - mean) / std without an
epsilon. Outage segments hold a constant value, so some windows have std == 0 and
become NaN (0/0) inputs; the loss is NaN from the first epoch and Adam propagates
NaN into every weight (grad clipping does not help).
Measured (300 steps): buggy train/val loss nan in every epoch; fixed
(std + 1e-6): train loss 0.84 -> 0.19, val 0.62 -> 0.17.
"""
# traindebug-expect: non_finite
import argparse
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)

p = argparse.ArgumentParser()
p.add_argument("--window", type=int, default=32)
p.add_argument("--hidden", type=int, default=32)
p.add_argument("--latent", type=int, default=8)
p.add_argument("--epochs", type=int, default=15)
p.add_argument("--bs", type=int, default=32)
p.add_argument("--lr", type=float, default=3e-3)
args = p.parse_args()

rng = np.random.default_rng(0)
torch.manual_seed(0)


def make_sensor(n=12000):
    t = np.arange(n)
    sig = 2.0 * np.sin(2 * np.pi * t / 50) + 0.7 * np.sin(2 * np.pi * t / 13) + 0.2 * rng.standard_normal(n)
    # sensor outages: the logger holds the last value
    for start in rng.choice(n - 200, size=25, replace=False):
        length = rng.integers(40, 120)
        sig[start:start + length] = sig[start]
    return sig.astype(np.float32)


class WindowDataset(Dataset):
    def __init__(self, series, window, stride=8):
        self.w = np.stack([series[i:i + window] for i in range(0, len(series) - window, stride)])

    def __len__(self):
        return len(self.w)

    def __getitem__(self, i):
        w = self.w[i]
        w = (w - w.mean()) / w.std()  # per-window z-score, amplitude invariant
        return torch.from_numpy(w).unsqueeze(-1)


class LSTMAutoencoder(nn.Module):
    def __init__(self, hidden, latent):
        super().__init__()
        self.enc = nn.LSTM(1, hidden, batch_first=True)
        self.to_z = nn.Linear(hidden, latent)
        self.from_z = nn.Linear(latent, hidden)
        self.dec = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        _, (h, _) = self.enc(x)
        z = self.to_z(h[-1])
        rep = self.from_z(z).unsqueeze(1).expand(-1, x.size(1), -1)
        d, _ = self.dec(rep)
        return self.out(d)


series = make_sensor()
split = int(0.8 * len(series))
train_ds, val_ds = WindowDataset(series[:split], args.window), WindowDataset(series[split:], args.window)
train_dl = DataLoader(train_ds, batch_size=args.bs, shuffle=True, generator=torch.Generator().manual_seed(0))
val_dl = DataLoader(val_ds, batch_size=256)

model = LSTMAutoencoder(args.hidden, args.latent)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
loss_fn = nn.MSELoss()

steps = 0
for epoch in range(args.epochs):
    model.train()
    losses = []
    for xb in train_dl:
        loss = loss_fn(model(xb), xb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        steps += 1
        if steps >= 300:
            break
    model.eval()
    with torch.no_grad():
        vl = np.mean([loss_fn(model(xb), xb).item() for xb in val_dl])
    print(f"epoch {epoch+1:2d} step {steps:3d} train {np.mean(losses):.4f} val {vl:.4f}")
    if steps >= 300:
        break

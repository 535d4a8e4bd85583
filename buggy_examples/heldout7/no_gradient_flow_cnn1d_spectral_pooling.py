"""1-D CNN for synthetic vibration-fault windows with a "spectral pooling" step.

Seeded bug (no_gradient_flow): spectral_pool() computes |rFFT| with NumPy on
h.detach().cpu().numpy() and wraps the result back into a tensor, which cuts the
graph. Both ConvBlocks (conv weights, BatchNorm affine parameters) require grad and
are in the optimizer, but their .grad stays None for the whole run; only the
classifier MLP trains, on top of random conv features.

Measured (10 epochs, 250 steps): final train_loss 0.373, val_acc 0.708 (it swings
between 0.71 and 0.88 in the last epochs). The fixed copy (torch.fft.rfft(h).abs(),
torch.log1p) reaches train_loss 0.117, val_acc 0.953.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader, random_split

torch.set_num_threads(1)
torch.manual_seed(42)
np.random.seed(42)


def make_vibration_data(n=2000, length=96, n_classes=4, seed=0):
    """Synthetic accelerometer windows: each fault class excites a different
    short burst pattern on top of a shared carrier + noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / length
    X = np.zeros((n, 1, length), dtype=np.float32)
    y = rng.integers(0, n_classes, n)
    for i in range(n):
        c = y[i]
        sig = 0.5 * np.sin(2 * np.pi * 5 * t + rng.uniform(0, 2 * np.pi))
        # class-specific transient: impulse train with a class dependent spacing
        spacing = [7, 11, 17, 23][c]
        start = rng.integers(0, spacing)
        amp = rng.uniform(0.6, 1.0)
        sig[start::spacing] += amp * (1 if c % 2 == 0 else -1)
        sig += 0.3 * rng.normal(size=length)
        X[i, 0] = sig
    return torch.from_numpy(X), torch.from_numpy(y).long()


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, padding=k // 2)
        self.bn = nn.BatchNorm1d(cout)

    def forward(self, x):
        return F.gelu(self.bn(self.conv(x)))


class SpectralCNN(nn.Module):
    """Conv front-end followed by magnitude-spectrum pooling over time."""

    def __init__(self, n_classes=4, width=24, n_bins=16):
        super().__init__()
        self.blocks = nn.ModuleList([ConvBlock(1, width, 7), ConvBlock(width, width, 5)])
        self.n_bins = n_bins
        self.classifier = nn.Sequential(
            nn.Linear(width * n_bins, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def spectral_pool(self, h):
        # |rFFT| along time, keep lowest n_bins, log-compress
        spec = np.abs(np.fft.rfft(h.detach().cpu().numpy(), axis=-1))[..., : self.n_bins]
        return torch.from_numpy(np.log1p(spec)).float().to(h.device)

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        z = self.spectral_pool(x)
        return self.classifier(z.flatten(1))


X, y = make_vibration_data()
full = TensorDataset(X, y)
train_ds, val_ds = random_split(full, [1600, 400], generator=torch.Generator().manual_seed(0))
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=200)

model = SpectralCNN()
opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
crit = nn.CrossEntropyLoss()

for epoch in range(10):
    model.train()
    run = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        run += loss.item()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_dl:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch}  train_loss {run/len(train_dl):.4f}  val_acc {correct/len(val_ds):.3f}")

"""Seeded bug (no_gradient_flow): the 4-bit quantised bottleneck is implemented as a plain
`torch.round(z * LEVELS) / LEVELS` with no straight-through estimator. torch.round has a zero
derivative, so enc1/enc2 (weights and biases) receive all-zero gradients for the whole run and
the encoder stays at its random initialisation; only the decoder learns.
Measured (300 RMSprop steps): buggy best test MSE 0.0724 vs mean-image baseline 0.0735
(97 distinct codes for 297 test images); fixed copy with a straight-through rounding
`z + (round(z*L)/L - z).detach()`: test MSE 0.0391, 295 distinct codes.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(21)
torch.set_num_threads(1)

BITS = 4
LEVELS = 2 ** BITS - 1
CODE = 10

digits = load_digits()
data = torch.tensor(digits.data / 16.0, dtype=torch.float32)
perm = torch.randperm(len(data))
train, test = data[perm[:1500]], data[perm[1500:]]


class QuantizedAE(nn.Module):
    """Small compressive autoencoder with a BITS-bit code per latent dimension."""

    def __init__(self, d_in=64, hidden=48, code=CODE):
        super().__init__()
        self.enc1 = nn.Linear(d_in, hidden)
        self.enc2 = nn.Linear(hidden, code)
        self.dec1 = nn.Linear(code, hidden)
        self.dec2 = nn.Linear(hidden, d_in)

    def encode(self, x):
        z = torch.sigmoid(self.enc2(F.elu(self.enc1(x))))
        return torch.round(z * LEVELS) / LEVELS

    def decode(self, q):
        return torch.sigmoid(self.dec2(F.elu(self.dec1(q))))

    def forward(self, x):
        return self.decode(self.encode(x))


model = QuantizedAE()
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3, alpha=0.9)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)

baseline = F.mse_loss(train.mean(0, keepdim=True).expand_as(test), test).item()
print(f"mean-image baseline test mse: {baseline:.4f}")

history = {"train": [], "test": []}
batch = 50
for epoch in range(10):
    model.train()
    order = torch.randperm(len(train))
    total = 0.0
    for i in range(0, len(train), batch):
        xb = train[order[i:i + batch]]
        recon = model(xb)
        loss = F.mse_loss(recon, xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        test_mse = F.mse_loss(model(test), test).item()
    sched.step(test_mse)
    history["train"].append(total / len(train))
    history["test"].append(test_mse)
    print(f"epoch {epoch + 1:2d}  train mse {history['train'][-1]:.4f}  test mse {test_mse:.4f}")

with torch.no_grad():
    codes = model.encode(test)
    used = codes.unique(dim=0).shape[0]
print(f"distinct codes on test set: {used}/{len(test)}  best test mse {min(history['test']):.4f}")

"""Functional-style autoencoder on sklearn digits: explicit parameter tensors, F.linear, a
4-bit quantised tanh bottleneck, Adagrad, BCE reconstruction loss.

Seeded bug: quantize() returns torch.round(...) of the code directly. round() has zero
derivative everywhere, so no gradient reaches the encoder parameters (enc1, enc2): their grads
are exactly zero every step and the encoder stays at its random init; only the decoder learns
to decode random quantised projections. (The usual fix is a straight-through estimator,
z + (q - z).detach().)
Measured (10 epochs, 280 steps): test reconstruction MSE 0.0565 / 0.0488 / 0.0467 at
epochs 0/3/9 (predict-the-mean-image baseline 0.0735; train BCE plateaus at 0.354). Fixed copy (straight-through): test MSE
0.0695 / 0.0380 / 0.0253 at epochs 0/3/9, train BCE 0.293 and still falling.
"""
# traindebug-expect: no_gradient_flow
import math
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(21)

X = torch.tensor(load_digits().data, dtype=torch.float32) / 16.0
Xtr, Xte = X[:1400], X[1400:]


def linear_params(d_in, d_out):
    bound = 1.0 / math.sqrt(d_in)
    w = torch.empty(d_out, d_in).uniform_(-bound, bound).requires_grad_()
    b = torch.zeros(d_out, requires_grad=True)
    return [w, b]


params = {
    "enc1": linear_params(64, 128),
    "enc2": linear_params(128, 12),
    "dec1": linear_params(12, 128),
    "dec2": linear_params(128, 64),
}
LEVELS = 16  # 4-bit latent codes, stored compactly


def quantize(z):
    # map tanh range (-1, 1) onto LEVELS uniform bins
    return torch.round((z + 1) / 2 * (LEVELS - 1)) / (LEVELS - 1) * 2 - 1


def encode(x):
    h = F.gelu(F.linear(x, *params["enc1"]))
    return torch.tanh(F.linear(h, *params["enc2"]))


def decode(z):
    h = F.gelu(F.linear(z, *params["dec1"]))
    return torch.sigmoid(F.linear(h, *params["dec2"]))


def forward(x):
    return decode(quantize(encode(x)))


all_params = [p for pair in params.values() for p in pair]
opt = torch.optim.Adagrad(all_params, lr=0.05)

BS = 50
for epoch in range(10):
    perm = torch.randperm(len(Xtr))
    tot = 0.0
    for i in range(0, len(Xtr), BS):
        xb = Xtr[perm[i:i + BS]]
        loss = F.binary_cross_entropy(forward(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    if epoch % 3 == 0 or epoch == 9:
        with torch.no_grad():
            mse = F.mse_loss(forward(Xte), Xte).item()
        print(f"epoch {epoch} bce {tot / len(Xtr):.4f} test recon mse {mse:.4f}")
print("baseline (predict mean image) mse:", round(F.mse_loss(Xtr.mean(0).expand_as(Xte), Xte).item(), 4))

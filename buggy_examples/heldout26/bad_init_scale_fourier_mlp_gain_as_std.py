"""Coordinate MLP with random Fourier feature encoding (sin/cos of 2*pi*B*xy,
64 frequencies) regressing a smooth 2-D scalar field from 2048 scattered
samples, 4 hidden ReLU layers of width 128, RMSprop.

Seeded bug (bad_init_scale): init_linear() uses the recommended gain of the
nonlinearity (sqrt(2) for ReLU) directly as the standard deviation of the
weights, i.e. without dividing by sqrt(fan_in). Each layer amplifies the
activations by ~sqrt(fan_in) = 11, so the output at step 0 is ~1e5 times too
large.

Measured: initial full-batch MSE 1.5e10 (target variance 0.31); after 320
steps train_mse 4.1e7 and test_mse 2.1e8. With std = gain / sqrt(fan_in):
initial MSE 0.75, final train_mse ~0.004, test_mse 0.010.
"""
# traindebug-expect: bad_init_scale
import math

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(5)
rng = np.random.default_rng(5)


def target_field(xy):
    x, y = xy[:, 0], xy[:, 1]
    return (np.sin(3.0 * x) * np.cos(2.0 * y) + 0.5 * np.exp(-8 * ((x - 0.3) ** 2 + (y + 0.2) ** 2))
            + 0.25 * np.sin(7.0 * (x + y)))


class FourierFeatures(nn.Module):
    def __init__(self, in_dim, n_freq, sigma):
        super().__init__()
        self.register_buffer("B", torch.randn(in_dim, n_freq) * sigma)

    def forward(self, xy):
        proj = 2 * math.pi * xy @ self.B
        return torch.cat([torch.sin(proj), torch.cos(proj)], dim=-1)


def init_linear(linear, nonlinearity="relu"):
    """Gaussian init scaled by the recommended gain of the following nonlinearity."""
    gain = nn.init.calculate_gain(nonlinearity)
    nn.init.normal_(linear.weight, mean=0.0, std=gain)
    nn.init.zeros_(linear.bias)


def build_model(n_freq=64, sigma=1.5, width=128, depth=4):
    layers = [FourierFeatures(2, n_freq, sigma)]
    d = 2 * n_freq
    for _ in range(depth):
        lin = nn.Linear(d, width)
        init_linear(lin)
        layers += [lin, nn.ReLU()]
        d = width
    head = nn.Linear(d, 1)
    init_linear(head, "linear")
    layers.append(head)
    return nn.Sequential(*layers)


# data: scattered samples of the field on [-1, 1]^2
xy_train = rng.uniform(-1, 1, size=(2048, 2))
xy_test = rng.uniform(-1, 1, size=(1024, 2))
f_train = target_field(xy_train) + 0.02 * rng.standard_normal(len(xy_train))
f_test = target_field(xy_test)
Xtr = torch.tensor(xy_train, dtype=torch.float32)
ytr = torch.tensor(f_train, dtype=torch.float32).unsqueeze(1)
Xte = torch.tensor(xy_test, dtype=torch.float32)
yte = torch.tensor(f_test, dtype=torch.float32).unsqueeze(1)

model = build_model()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.99)
loss_fn = nn.MSELoss()
batch, steps = 128, 320
print(f"target variance {ytr.var().item():.4f}")
for step in range(1, steps + 1):
    idx = torch.randint(0, len(Xtr), (batch,))
    loss = loss_fn(model(Xtr[idx]), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 40 == 0:
        with torch.no_grad():
            te = loss_fn(model(Xte), yte).item()
        print(f"step {step:4d}  train_mse {loss.item():.5f}  test_mse {te:.5f}")

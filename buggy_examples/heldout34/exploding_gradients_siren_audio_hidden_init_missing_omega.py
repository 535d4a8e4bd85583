"""
Implicit neural representation of a 1-D "audio" clip (two tones plus a chirp, 400 samples on
[-1, 1]) with a SIREN: sin(30 * (W x + b)) layers 1 -> 128 -> 128 -> 128 -> 128 and a linear
head, full-batch Adam lr 1e-4, 400 steps. Test error is measured on the half-sample-offset
grid (interpolation).

Seeded bug: in SineLayer.reset_parameters the hidden layers use
U(-sqrt(6 / fan_in), sqrt(6 / fan_in)) but forget the division by omega_0 that the SIREN
initialization prescribes (the first layer and the head are initialised correctly). Because
every hidden pre-activation is multiplied by omega_0 = 30, each hidden sine layer now has a
Jacobian of norm ~30*sqrt(2)*0.7 instead of ~1: gradients grow by more than an order of
magnitude per layer going back towards the input (at init: first-layer weight grad 6.9e2,
second 3.2e2, third 1.1e1, fourth 0.36, head 0.38; fixed copy: 0.08, 1.05, 1.04, 1.05, 1.04).
The forward activations stay in [-1, 1], so only the backward signal explodes; Adam's steps
on the first layers scramble the representation and the network fits neither the samples
nor the interpolation points.

Measured (seed 0, 1 thread): buggy final train MSE 0.196, test MSE 0.197 (signal variance
~0.2); fixed copy (bound / omega_0) train MSE 1e-6, test MSE 1e-6.
"""
# traindebug-expect: exploding_gradients
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


class SineLayer(nn.Module):
    def __init__(self, in_features, out_features, omega_0=30.0, is_first=False):
        super().__init__()
        self.omega_0 = omega_0
        self.is_first = is_first
        self.linear = nn.Linear(in_features, out_features)
        self.reset_parameters()

    def reset_parameters(self):
        fan_in = self.linear.in_features
        with torch.no_grad():
            if self.is_first:
                bound = 1.0 / fan_in
            else:
                bound = math.sqrt(6.0 / fan_in)
            self.linear.weight.uniform_(-bound, bound)

    def forward(self, x):
        return torch.sin(self.omega_0 * self.linear(x))


class Siren(nn.Module):
    def __init__(self, hidden=128, n_hidden=4, omega_0=30.0):
        super().__init__()
        layers = [SineLayer(1, hidden, omega_0, is_first=True)]
        layers += [SineLayer(hidden, hidden, omega_0) for _ in range(n_hidden - 1)]
        self.net = nn.Sequential(*layers)
        self.head = nn.Linear(hidden, 1)
        with torch.no_grad():
            bound = math.sqrt(6.0 / hidden) / omega_0
            self.head.weight.uniform_(-bound, bound)

    def forward(self, x):
        return self.head(self.net(x))


def signal(t):
    # a short "audio" clip: two tones plus a chirp
    return 0.5 * np.sin(2 * np.pi * 3 * t) + 0.3 * np.sin(2 * np.pi * 11 * t) + 0.2 * np.sin(2 * np.pi * (4 * t + 6 * t ** 2))


t_train = np.linspace(-1, 1, 400, dtype=np.float32)
t_test = t_train[:-1] + 0.5 * (t_train[1] - t_train[0])
x_train = torch.from_numpy(t_train)[:, None]
y_train = torch.from_numpy(signal(t_train).astype(np.float32))[:, None]
x_test = torch.from_numpy(t_test)[:, None]
y_test = torch.from_numpy(signal(t_test).astype(np.float32))[:, None]

model = Siren()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
loss_fn = nn.MSELoss()

t0 = time.time()
for step in range(1, 401):
    pred = model(x_train)
    loss = loss_fn(pred, y_train)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 1:
        with torch.no_grad():
            test_mse = loss_fn(model(x_test), y_test).item()
        print(f"step {step:4d}  train mse {loss.item():.5f}  test mse (half-sample offset) {test_mse:.5f}")

with torch.no_grad():
    train_mse = loss_fn(model(x_train), y_train).item()
    test_mse = loss_fn(model(x_test), y_test).item()
print(f"final train mse {train_mse:.6f}  test mse {test_mse:.6f}  ({time.time() - t0:.1f}s)")

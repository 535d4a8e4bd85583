"""Surrogate model for a damped-oscillator response curve x(t, zeta).

Seeded bug: the 12-layer MLP (built in a loop with nn.ModuleList) uses
sigmoid hidden activations with PyTorch default Linear init.  Each sigmoid
layer scales the backward signal by <=0.25 times a small weight, so the first
layers receive essentially no gradient.

Measured: at init the grad-norm ratio first/last hidden layer is ~3e-11
(1.1e-11 vs 0.39).  Validation MSE stays at the target variance
(0.1168 vs var 0.1169, i.e. the model only learns the mean) after 300 Adam
steps.  Same script with SiLU activations: val MSE 0.0146.
"""
# traindebug-expect: vanishing_gradients

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# Damped driven oscillator response curve x(t) for several damping ratios;
# fit a surrogate u(t, zeta) -> x with a deep MLP.
def response(t, zeta, w0=2.0):
    wd = w0 * np.sqrt(1.0 - zeta ** 2)
    return np.exp(-zeta * w0 * t) * (np.cos(wd * t) + zeta * w0 / wd * np.sin(wd * t))

n = 4000
t = np.random.uniform(0.0, 6.0, n)
zeta = np.random.uniform(0.05, 0.6, n)
y = response(t, zeta) + 0.01 * np.random.randn(n)

X = np.stack([t / 3.0 - 1.0, (zeta - 0.325) / 0.16], axis=1).astype(np.float32)
Y = y[:, None].astype(np.float32)
idx = np.random.permutation(n)
tr, va = idx[:3200], idx[3200:]
Xtr, Ytr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
Xva, Yva = torch.from_numpy(X[va]), torch.from_numpy(Y[va])


class Surrogate(nn.Module):
    def __init__(self, d_in=2, width=48, depth=12):
        super().__init__()
        dims = [d_in] + [width] * depth
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.act = nn.Sigmoid()
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return self.head(x)


model = Surrogate()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

steps, bs = 300, 128
for step in range(steps):
    bi = torch.randint(0, len(Xtr), (bs,))
    pred = model(Xtr[bi])
    loss = loss_fn(pred, Ytr[bi])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == steps - 1:
        with torch.no_grad():
            va_loss = loss_fn(model(Xva), Yva).item()
        print(f"step {step:4d}  train {loss.item():.4f}  val {va_loss:.4f}")

with torch.no_grad():
    va_mse = loss_fn(model(Xva), Yva).item()
print(f"final val MSE {va_mse:.4f}  (target var {Yva.var().item():.4f})")

"""Small hyper-parameter search around a dilated Conv1d forecaster (3 conv layers with GELU,
flatten + Linear head; 36-step lookback, 4-step horizon) on a standardised synthetic
electricity-load series (daily harmonics, weekly cycle, AR(1) noise). Each trial trains with
SGD momentum 0.9, lr 0.02, batch 64, 5 epochs (160 steps per trial, 3 trials = 480 steps),
MSE, and reports train/val MSE; the best trial by val MSE is printed.

Seeded bug: the weight-decay grid is written as np.logspace(1e-5, 1e-3, 3), i.e. with the
values instead of the exponents. np.logspace interprets its arguments as powers of ten, so
all three trials use weight_decay ~ 1.00 instead of 1e-5..1e-3. With coupled L2 in SGD the
decay term dominates every update, the weights are held near zero and the forecaster predicts
~the mean: every configuration of the search is over-regularised.

Measured (fixed copy uses np.logspace(-5, -3, 3)): best val MSE 0.973 vs 0.093,
train MSE 1.001 vs 0.090 (naive persistence forecast: 0.624).
"""
# traindebug-expect: over_regularization
import itertools

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

LOOKBACK, HORIZON = 36, 4

# electricity-load-like signal: two daily harmonics, a weekly cycle, AR(1) noise
T = 3000
t = np.arange(T)
noise = np.zeros(T)
for i in range(1, T):
    noise[i] = 0.7 * noise[i - 1] + 0.15 * rng.standard_normal()
load = (np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(4 * np.pi * t / 24 + 0.3)
        + 0.4 * np.sin(2 * np.pi * t / 168) + noise)
load = ((load - load[:2400].mean()) / load[:2400].std()).astype(np.float32)

windows = np.lib.stride_tricks.sliding_window_view(load, LOOKBACK + HORIZON)
X = torch.from_numpy(windows[:, :LOOKBACK].copy()).unsqueeze(1)
Y = torch.from_numpy(windows[:, LOOKBACK:].copy())
n_tr = 2000
train_ds = TensorDataset(X[:n_tr], Y[:n_tr])
X_va, Y_va = X[n_tr + LOOKBACK:], Y[n_tr + LOOKBACK:]


def make_model():
    return nn.Sequential(
        nn.Conv1d(1, 16, 5, padding=2), nn.GELU(),
        nn.Conv1d(16, 16, 5, padding=4, dilation=2), nn.GELU(),
        nn.Conv1d(16, 16, 5, padding=8, dilation=4), nn.GELU(),
        nn.Flatten(), nn.Linear(16 * LOOKBACK, HORIZON),
    )


def fit(lr, weight_decay, epochs=5, verbose=False):
    torch.manual_seed(1)
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        tot = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(xb)
        with torch.no_grad():
            val = loss_fn(model(X_va), Y_va).item()
        if verbose:
            print(f"    epoch {epoch + 1}  train mse {tot / n_tr:.4f}  val mse {val:.4f}")
    return tot / n_tr, val


grid = {
    "lr": [0.02],
    "weight_decay": np.logspace(1e-5, 1e-3, 3),
}
results = []
for i, (lr, wd) in enumerate(itertools.product(grid["lr"], grid["weight_decay"])):
    print(f"trial {i}: lr={lr:g} weight_decay={wd:.3g}")
    tr, va = fit(lr, wd, verbose=True)
    results.append((va, tr, lr, wd))

best_val, best_tr, best_lr, best_wd = min(results)
print(f"best: lr={best_lr:g} weight_decay={best_wd:.3g}  train mse {best_tr:.4f}  val mse {best_val:.4f}")
print(f"persistence baseline val mse "
      f"{nn.functional.mse_loss(X_va[:, 0, -1:].expand_as(Y_va), Y_va).item():.4f}")

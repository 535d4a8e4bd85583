"""Kolmogorov-Arnold network with Gaussian-RBF edge functions on Friedman #1 regression.

Functional KAN (explicit parameter tensors, einsum) with widths 10-12-12-12-12-1; every
edge is phi(x) = sum_k c_k exp(-((x - g_k)/h)^2) over 8 centres on the grid [-2, 2] (as in
FastKAN / RBF-KAN, no base branch).  Standardised inputs and targets, RMSprop lr 1e-3,
batch 128, 300 steps.

Seeded bug: the RBF width is computed as (grid_max - grid_min) * (n_basis - 1) = 28
instead of the grid spacing (grid_max - grid_min) / (n_basis - 1) = 0.57.  With a width
far wider than the input range every basis function is ~1 everywhere, so each layer's
derivative w.r.t. its input is ~(x - g)/h^2 ~ 1e-3: gradients shrink by ~100-1000x per
layer.  At init the coefficient gradient norms are 1.4e-8, 4.7e-6, 1.1e-3, 0.24, 55 from
the first to the last layer (fixed copy: 0.27, 0.72, 1.7, 2.9, 5.9), and the network only
fits a constant.  A '*' for '/' typo in the grid spacing.

Measured (seed 0, 300 steps, CPU time ~4.4 s): buggy final train MSE 1.011, test MSE 1.066
(= predicting the mean); fixed copy (width = spacing): train MSE 0.090, test MSE 0.093.
"""
# traindebug-expect: vanishing_gradients
import time

import numpy as np
import torch
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)

WIDTHS = [10, 12, 12, 12, 12, 1]
N_BASIS = 8
GRID_MIN, GRID_MAX = -2.0, 2.0


def init_kan(widths, n_basis):
    params = []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        coef = torch.randn(d_in, n_basis, d_out) / (d_in * n_basis) ** 0.5
        bias = torch.zeros(d_out)
        params += [coef.requires_grad_(), bias.requires_grad_()]
    return params


def rbf_basis(x, centers, width):
    return torch.exp(-((x.unsqueeze(-1) - centers) / width) ** 2)


def kan_forward(params, x):
    centers = torch.linspace(GRID_MIN, GRID_MAX, N_BASIS)
    width = (GRID_MAX - GRID_MIN) * (N_BASIS - 1)
    for i in range(0, len(params), 2):
        coef, bias = params[i], params[i + 1]
        x = torch.einsum("bik,iko->bo", rbf_basis(x, centers, width), coef) + bias
    return x.squeeze(-1)


def main():
    t0 = time.process_time()
    X, y = make_friedman1(n_samples=3000, noise=0.5, random_state=0)
    X = (X - 0.5) / 0.29
    y = (y - y.mean()) / y.std()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_te, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr, dtype=torch.float32), torch.tensor(y_te, dtype=torch.float32)

    params = init_kan(WIDTHS, N_BASIS)
    opt = torch.optim.RMSprop(params, lr=1e-3)
    for step in range(1, 301):
        idx = torch.randint(0, X_tr.size(0), (128,))
        loss = torch.mean((kan_forward(params, X_tr[idx]) - y_tr[idx]) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                test_mse = torch.mean((kan_forward(params, X_te) - y_te) ** 2).item()
            print(f"step {step:3d}  train mse {loss.item():.4f}  test mse {test_mse:.4f}")
    print(f"final test mse {test_mse:.4f} (predict-mean baseline ~1.0)")
    print(f"cpu time {time.process_time() - t0:.1f}s")


if __name__ == "__main__":
    main()

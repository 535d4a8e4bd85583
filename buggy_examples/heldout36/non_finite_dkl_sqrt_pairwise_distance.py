"""Deep kernel learning on a 1-D step function with heteroscedastic wiggles (the classic
case where a stationary RBF kernel on raw inputs fails and a learned warp helps).

Feature extractor nn.Sequential(1 -> 32 -> 32 -> 1, tanh) feeds an exact GP with an RBF
kernel; hyper-parameters and network are trained jointly on the negative log marginal
likelihood, computed with a hand-written Cholesky (with jitter retries).  AdamW,
full batch, 250 iterations, plain loop.

Seeded bug: the RBF kernel is built from a generic `pairwise_dist` helper that returns
the Euclidean distance sqrt(sum((a-b)^2)), which is then squared again.  On the diagonal
(and for duplicate inputs) the distance is exactly 0, and d sqrt(u)/du = inf at u = 0;
backprop multiplies that inf by the zero upstream gradient (dK/dr = -K r / l^2 = 0) and
produces NaN.  The very first backward pass yields NaN gradients for every
feature-extractor weight; after the first AdamW step the network outputs NaN, and from
then on the kernel matrix, the loss and all remaining parameters are NaN.  Realistic: reusing a distance helper written for a Matern/exponential
kernel, where the sqrt is needed, for an RBF kernel.

Measured (seed 0, 250 iterations): buggy train nll/n is 1.097 at iteration 1 and NaN
from iteration 2 on, test RMSE nan; fixed copy (squared distances computed directly, no
sqrt): final train nll/n -1.017, test RMSE 0.250.
"""
# traindebug-expect: non_finite
import math
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


def make_data(n, rng):
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    f = np.where(x < 0.0, -1.0, 1.0) + 0.3 * np.sin(12 * x) * (x > 0)
    return x.astype(np.float32), (f + 0.05 * rng.standard_normal(n)).astype(np.float32)


def pairwise_dist(a, b):
    diff = a[:, None, :] - b[None, :, :]
    return torch.sqrt((diff ** 2).sum(-1))


def rbf(za, zb, log_ls, log_os):
    r = pairwise_dist(za, zb) / log_ls.exp()
    return log_os.exp() * torch.exp(-0.5 * r ** 2)


def psd_safe_cholesky(K, max_tries=4):
    jitter = 1e-6
    for _ in range(max_tries):
        L, info = torch.linalg.cholesky_ex(K + jitter * torch.eye(K.shape[0]))
        if info.item() == 0:
            return L
        jitter *= 10
    return L


rng = np.random.default_rng(0)
x_np, y_np = make_data(240, rng)
test_idx = rng.choice(len(x_np), 60, replace=False)
mask = np.ones(len(x_np), bool)
mask[test_idx] = False
x_train = torch.from_numpy(x_np[mask])[:, None]
y_train = torch.from_numpy(y_np[mask])
x_test = torch.from_numpy(x_np[~mask])[:, None]
y_test = torch.from_numpy(y_np[~mask])
n = x_train.shape[0]

net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
log_ls = nn.Parameter(torch.tensor(0.0))
log_os = nn.Parameter(torch.tensor(0.0))
log_noise = nn.Parameter(torch.tensor(-2.0))
params = list(net.parameters()) + [log_ls, log_os, log_noise]
opt = torch.optim.AdamW(params, lr=0.01, weight_decay=1e-4)


def neg_mll():
    z = net(x_train)
    K = rbf(z, z, log_ls, log_os) + log_noise.exp() * torch.eye(n)
    L = psd_safe_cholesky(K)
    alpha = torch.cholesky_solve(y_train[:, None], L)
    nll = 0.5 * (y_train[:, None] * alpha).sum() + torch.log(torch.diagonal(L)).sum()
    return (nll + 0.5 * n * math.log(2 * math.pi)) / n


for it in range(1, 251):
    opt.zero_grad()
    loss = neg_mll()
    loss.backward()
    opt.step()
    if it == 1 or it % 50 == 0:
        print(f"iter {it:3d}  nll/n {loss.item():.4f}  lengthscale {log_ls.exp().item():.3f}  "
              f"noise {log_noise.exp().item():.4f}")

with torch.no_grad():
    z_tr, z_te = net(x_train), net(x_test)
    K = rbf(z_tr, z_tr, log_ls, log_os) + log_noise.exp() * torch.eye(n)
    L = psd_safe_cholesky(K)
    mu = rbf(z_te, z_tr, log_ls, log_os) @ torch.cholesky_solve(y_train[:, None], L)
    rmse = torch.sqrt(((mu.squeeze(-1) - y_test) ** 2).mean()).item()
print(f"final train nll/n {loss.item():.4f}  test RMSE {rmse:.4f}")

"""
Denoising autoencoder / single-noise-level denoiser on load_digits written functionally:
explicit weight tensors, MLP (64 pixels + sigma) -> 256 -> 256 -> 256 -> 64 with F.silu,
pixels mapped to [-1, 1], Gaussian corruption sigma = 0.5, MSE to the clean image, Adam
lr 1e-3, manual batches of 32, 6 epochs (264 steps), test MSE against the noisy-input MSE.

Seeded bug: init_params draws W = torch.randn(fan_in, fan_out) and forgets the
1 / sqrt(fan_in) factor that nn.Linear-style init would apply. Every layer multiplies the
activation scale by ~sqrt(fan_in) (8-16x), so the network outputs values of order 1e3-1e4 at
initialization and the initial MSE is ~2e7; with Adam's ~1e-3 steps on O(1) weights the
scale cannot be brought back in the budget.

Measured (seed 0, 1 thread): buggy: test MSE 2.2e7 (epoch 0) -> 4.2e6, far worse than simply
returning the noisy input (0.249). Fixed copy (W = randn / sqrt(fan_in)): test MSE 0.127 ->
0.0763.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SIGMA = 0.5
SIZES = [64 + 1, 256, 256, 256, 64]


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_in, fan_out).requires_grad_()
        b = torch.zeros(fan_out, requires_grad=True)
        params += [W, b]
    return params


def denoiser(params, x, sigma):
    h = torch.cat([x, torch.full((x.shape[0], 1), sigma)], dim=1)
    n = len(params) // 2
    for i in range(n):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n - 1:
            h = F.silu(h)
    return h


X, _ = load_digits(return_X_y=True)
X = torch.tensor(X / 8.0 - 1.0, dtype=torch.float32)
perm = torch.randperm(X.shape[0])
x_train, x_test = X[perm[:1400]], X[perm[1400:]]

params = init_params(SIZES)
opt = torch.optim.Adam(params, lr=1e-3)

step = 0
for epoch in range(6):
    order = torch.randperm(x_train.shape[0])
    for i in range(0, x_train.shape[0], 32):
        xb = x_train[order[i:i + 32]]
        noisy = xb + SIGMA * torch.randn_like(xb)
        loss = F.mse_loss(denoiser(params, noisy, SIGMA), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        torch.manual_seed(99)
        noisy = x_test + SIGMA * torch.randn_like(x_test)
        test_loss = F.mse_loss(denoiser(params, noisy, SIGMA), x_test).item()
        baseline = F.mse_loss(noisy, x_test).item()
    print(f"epoch {epoch} step {step} train_mse {loss.item():.4f} test_mse {test_loss:.4f} (noisy input mse {baseline:.4f})")
print(f"final denoising test MSE {test_loss:.4f}")

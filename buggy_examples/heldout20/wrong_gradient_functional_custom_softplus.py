"""Functional-style MLP (parameters in a dict, F.linear) with a custom overflow-safe
softplus torch.autograd.Function, regression on a synthetic 5-D function.

Seeded bug: the hand-written backward returns grad_out * sigmoid(-x) instead of
sigmoid(x) (the comment's e^x/(1+e^x) was rewritten with the sign flipped), so the
gradient through every hidden activation disagrees with finite differences.

Measured (300 Adam steps): buggy test MSE 1.37 (target variance 2.13), loss unstable
(jumps to 5.7 mid-run); fixed test MSE 0.146.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(6)


class StableSoftplus(torch.autograd.Function):
    """softplus(x) = log(1 + exp(x)) computed without overflow."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        # d/dx log(1 + e^x) = e^x / (1 + e^x)
        return grad_out * torch.sigmoid(-x)


softplus = StableSoftplus.apply


def init_params(sizes, gen):
    params = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"W{i}"] = (torch.randn(b, a, generator=gen) * np.sqrt(2.0 / a)).requires_grad_()
        params[f"b{i}"] = torch.zeros(b, requires_grad=True)
    return params


def forward(params, x, n_layers):
    h = x
    for i in range(n_layers):
        h = F.linear(h, params[f"W{i}"], params[f"b{i}"])
        if i < n_layers - 1:
            h = softplus(h)
    return h.squeeze(-1)


def target_fn(X):
    return np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] - 0.5 * X[:, 3] ** 2 + 0.1 * X[:, 4]


rng = np.random.default_rng(6)
X = rng.normal(size=(1500, 5)).astype(np.float32)
y = (target_fn(X) + 0.05 * rng.normal(size=1500)).astype(np.float32)
Xtr, ytr = torch.from_numpy(X[:1200]), torch.from_numpy(y[:1200])
Xte, yte = torch.from_numpy(X[1200:]), torch.from_numpy(y[1200:])

sizes = [5, 64, 64, 1]
params = init_params(sizes, torch.Generator().manual_seed(6))
opt = torch.optim.Adam(params.values(), lr=3e-3)

for step in range(1, 301):
    idx = torch.randint(0, len(Xtr), (128,))
    loss = F.mse_loss(forward(params, Xtr[idx], len(sizes) - 1), ytr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 60 == 0:
        with torch.no_grad():
            te = F.mse_loss(forward(params, Xte, len(sizes) - 1), yte).item()
        print(f"step {step} train_mse {loss.item():.4f} test_mse {te:.4f} (target var {yte.var().item():.3f})")

"""GP-style ARD kernel regressor (RBF kernel with log-parametrised lengthscales,
signal and noise scales) trained on minibatch negative log marginal likelihood with
Adam; the scaled squared-distance matrix is a custom torch.autograd.Function.

Seeded bug (wrong_gradient): ScaledSqDist.backward returns
d D / d log_ls = +2 * exp(-2 log_ls) * sum (x_i - x_j)^2 -- the derivative of
exp(-2 * log_ls) lost its minus sign.  Autograd therefore pushes every lengthscale
the wrong way: the 5 irrelevant dimensions shrink instead of growing, and the kernel
ends up almost diagonal (predictions ~0).  The forward pass is correct, so the
analytic gradient disagrees with finite differences only in log_ls.

Measured (200 steps): final NLML/n 1.36 and test MSE 0.946 (standardised target;
predicting zero gives ~1.0), lengthscales ~0.3 in the irrelevant dims.  With the
correct sign: NLML/n -0.03, test MSE 0.013, irrelevant lengthscales > 100.
"""
# traindebug-expect: wrong_gradient
import math
import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(4)
np.random.seed(4)


class ScaledSqDist(torch.autograd.Function):
    """Pairwise squared distances with per-dimension (ARD) lengthscales.

    D_ij = sum_k (x_ik - x_jk)^2 * exp(-2 * log_ls_k)

    Written as a Function so the (n, n, d) difference tensor is not kept
    by autograd for every kernel evaluation.
    """

    @staticmethod
    def forward(ctx, x, log_ls):
        inv = torch.exp(-2.0 * log_ls)
        sq = (x * x) @ inv
        d = sq[:, None] + sq[None, :] - 2.0 * (x * inv) @ x.T
        d = d.clamp_min(0.0)
        ctx.save_for_backward(x, log_ls)
        return d

    @staticmethod
    def backward(ctx, grad_d):
        x, log_ls = ctx.saved_tensors
        inv = torch.exp(-2.0 * log_ls)
        g = grad_d + grad_d.T
        # d D_ij / d log_ls_k = 2 * (x_ik - x_jk)^2 * exp(-2 log_ls_k)
        row = g.sum(1)
        diff_term = (row[:, None] * x * x).sum(0) - ((g @ x) * x).sum(0)
        grad_log_ls = 2.0 * inv * diff_term
        return None, grad_log_ls


class ARDKernelRegressor(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.log_ls = torch.nn.Parameter(torch.zeros(dim))
        self.log_sf = torch.nn.Parameter(torch.tensor(0.0))
        self.log_sn = torch.nn.Parameter(torch.tensor(-1.0))

    def gram(self, x):
        return torch.exp(2 * self.log_sf) * torch.exp(-0.5 * ScaledSqDist.apply(x, self.log_ls))

    def neg_log_marginal(self, x, y):
        n = x.shape[0]
        K = self.gram(x) + (torch.exp(2 * self.log_sn) + 1e-5) * torch.eye(n)
        L = torch.linalg.cholesky(K)
        alpha = torch.cholesky_solve(y[:, None], L)
        nll = 0.5 * (y[:, None] * alpha).sum() + torch.log(torch.diagonal(L)).sum() + 0.5 * n * math.log(2 * math.pi)
        return nll / n

    @torch.no_grad()
    def predict(self, x_train, y_train, x_new):
        n = x_train.shape[0]
        K = self.gram(x_train) + torch.exp(2 * self.log_sn) * torch.eye(n)
        inv = torch.exp(-2.0 * self.log_ls)
        d = ((x_new * x_new) @ inv)[:, None] + ((x_train * x_train) @ inv)[None, :] - 2 * (x_new * inv) @ x_train.T
        Ks = torch.exp(2 * self.log_sf) * torch.exp(-0.5 * d.clamp_min(0))
        return Ks @ torch.linalg.solve(K, y_train)


def make_data(n, dim=8, relevant=3):
    x = np.random.uniform(-2, 2, size=(n, dim))
    f = np.sin(1.5 * x[:, 0]) + 0.5 * x[:, 1] ** 2 - np.cos(x[:, 2] * x[:, 0])
    y = f + 0.1 * np.random.randn(n)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


x_tr, y_tr = make_data(600)
x_te, y_te = make_data(300)
mu, sd = y_tr.mean(), y_tr.std()
y_tr, y_te = (y_tr - mu) / sd, (y_te - mu) / sd

model = ARDKernelRegressor(x_tr.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=0.05)
for step in range(1, 201):
    idx = torch.randperm(len(y_tr))[:128]
    loss = model.neg_log_marginal(x_tr[idx], y_tr[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 40 == 0:
        pred = model.predict(x_tr[:300], y_tr[:300], x_te)
        mse = torch.mean((pred - y_te) ** 2).item()
        print(f"step {step:3d}  nlml/n {loss.item():.4f}  test mse {mse:.4f}  "
              f"lengthscales {np.round(model.log_ls.exp().tolist(), 2)}")

"""Heteroscedastic regression: a two-headed MLP predicts mean and log-variance
of a noisy target whose noise level depends on the input.  The Gaussian
negative log-likelihood is implemented as a fused torch.autograd.Function with
a hand-written backward (avoids materialising intermediates for big batches).

Seeded bug (wrong_gradient): in ``backward`` the log-variance gradient uses
``torch.exp(logvar)`` where the derivative of ``d^2 * exp(-logvar)`` needs
``exp(-logvar)``: the hand-written gradient is
``0.5 * (1 - d^2 * var)`` instead of ``0.5 * (1 - d^2 / var)``.  Whenever
d^2 * var > 1 the wrong gradient pushes log-variance *up*, which makes the
term larger still, so the predicted variance runs away while the mean head's
gradient (scaled by 1/var) fades out.  The forward value is correct, so the
printed loss is the true NLL.

Measured (seed 0, 300 AdamW steps): buggy run - test NLL 7.39, test MSE of
the mean 10.1, mean abs error of predicted sigma ~1.7e10 (logvar ~47).
Fixed copy (exp(-logvar)): test NLL 0.80, test MSE 0.39, sigma abs error 0.08.
A finite-difference check of logvar's gradient disagrees in sign whenever
d^2 * var > 1.
"""
# traindebug-expect: wrong_gradient
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

LOG2PI = math.log(2 * math.pi)


class FusedGaussianNLL(torch.autograd.Function):
    """mean over the batch of 0.5 * (log 2pi + logvar + (y - mu)^2 / exp(logvar))"""

    @staticmethod
    def forward(ctx, mu, logvar, target):
        inv_var = torch.exp(-logvar)
        diff = mu - target
        ctx.save_for_backward(diff, logvar)
        return 0.5 * (LOG2PI + logvar + diff.pow(2) * inv_var).mean()

    @staticmethod
    def backward(ctx, grad_out):
        diff, logvar = ctx.saved_tensors
        n = diff.numel()
        scale = grad_out / n
        g_mu = scale * diff * torch.exp(-logvar)
        g_logvar = scale * 0.5 * (1.0 - diff.pow(2) * torch.exp(logvar))
        return g_mu, g_logvar, None


gaussian_nll = FusedGaussianNLL.apply


def make_data(n, rng):
    x = rng.uniform(-3, 3, size=(n, 3)).astype(np.float32)
    mean = np.sin(x[:, 0]) * 2 + 0.5 * x[:, 1] * x[:, 2]
    sigma = 0.1 + 0.6 * np.abs(x[:, 0]) / 3 + 0.3 * (x[:, 1] > 0)
    y = mean + sigma * rng.randn(n)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.float32)), torch.from_numpy(sigma.astype(np.float32))


class MeanVarNet(nn.Module):
    def __init__(self, d_in=3, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(),
                                  nn.Linear(hidden, hidden), nn.SiLU())
        self.mu_head = nn.Linear(hidden, 1)
        self.logvar_head = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.body(x)
        return self.mu_head(h).squeeze(-1), self.logvar_head(h).squeeze(-1)


def main():
    rng = np.random.RandomState(0)
    Xtr, ytr, _ = make_data(3000, rng)
    Xte, yte, sig_te = make_data(1000, rng)

    model = MeanVarNet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    g = torch.Generator().manual_seed(0)
    for step in range(1, 301):
        idx = torch.randint(0, len(ytr), (128,), generator=g)
        mu, logvar = model(Xtr[idx])
        loss = gaussian_nll(mu, logvar, ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 60 == 0:
            with torch.no_grad():
                mu, logvar = model(Xte)
                nll = F.gaussian_nll_loss(mu, yte, logvar.exp(), full=True).item()
                mse = F.mse_loss(mu, yte).item()
                sig_err = (logvar.mul(0.5).exp() - sig_te).abs().mean().item()
            print(f"step {step} train_nll {loss.item():.3f} test_nll {nll:.3f} "
                  f"test_mse {mse:.3f} sigma_abs_err {sig_err:.3g}")


if __name__ == "__main__":
    main()

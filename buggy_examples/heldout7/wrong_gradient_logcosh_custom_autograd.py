"""Residual MLP regressor trained with a custom log-cosh loss (torch.autograd.Function).

Seeded bug: forward() works with the residual r = target - pred, and backward() returns
grad_out * tanh(r) / N as the gradient w.r.t. pred. But d/dpred log cosh(target - pred) =
-tanh(r), so the hand-written gradient has the wrong sign and every RMSprop step climbs the loss.
Measured effect (288 steps): epoch-mean train log-cosh loss 221 in epoch 0, 1878 in epoch 1,
1.5e5 in epoch 11; the test median absolute error reaches 1.7e5 (target units scaled by the MAD). Fixed (-grad_out * tanh(r)):
train loss 0.0065, test median abs error 0.081.
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split


class LogCoshLoss(torch.autograd.Function):
    """Numerically stable log-cosh loss with a hand-written backward (saves memory
    compared with letting autograd trace softplus/abs)."""

    @staticmethod
    def forward(ctx, pred, target):
        r = target - pred
        ctx.save_for_backward(r)
        # log(cosh(r)) = |r| + log1p(exp(-2|r|)) - log 2
        a = r.abs()
        return (a + torch.log1p(torch.exp(-2 * a)) - np.log(2.0)).mean()

    @staticmethod
    def backward(ctx, grad_out):
        (r,) = ctx.saved_tensors
        grad_pred = grad_out * torch.tanh(r) / r.numel()
        return grad_pred, None


def logcosh(pred, target):
    return LogCoshLoss.apply(pred, target)


class ResidualRegressor(nn.Module):
    def __init__(self, d_in, width=64, n_blocks=2):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
            for _ in range(n_blocks))
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x)
        for blk in self.blocks:
            h = h + blk(h)
        return self.out(h).squeeze(-1)


if __name__ == "__main__":
    torch.manual_seed(5)
    X, y = make_regression(n_samples=2000, n_features=12, n_informative=8, noise=10.0, random_state=5)
    # a few gross outliers in the target: the reason for using log-cosh instead of MSE
    rs = np.random.RandomState(5)
    out_idx = rs.choice(len(y), 40, replace=False)
    y[out_idx] += rs.choice([-1, 1], 40) * 800
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=5)
    y_scale = np.median(np.abs(y_tr - np.median(y_tr)))
    X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_te, dtype=torch.float32)
    y_tr = torch.tensor(y_tr / y_scale, dtype=torch.float32)
    y_te = torch.tensor(y_te / y_scale, dtype=torch.float32)

    model = ResidualRegressor(X_tr.shape[1])
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for epoch in range(12):
        model.train()
        perm = torch.randperm(len(X_tr))
        tot = 0.0
        for i in range(0, len(X_tr), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = logcosh(model(X_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            pred = model(X_te)
            mae = (pred - y_te).abs().median().item()
        print(f"epoch {epoch:2d} train_logcosh {tot / len(X_tr):.4f} test_median_abs_err {mae:.4f}")

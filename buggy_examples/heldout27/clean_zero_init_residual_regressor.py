"""Healthy control: residual MLP regressor (6 blocks x + W2 SiLU(W1 x)) on Friedman #2,
RMSprop + ReduceLROnPlateau, argparse config.

Possible false alarm: the last Linear of every residual block (weight and bias) is
initialised to exactly zero (Fixup / zero-init-residual), so at step 0 all rows of those
weight matrices are identical (zero) and the first Linear of every block gets exactly zero
gradient (measured: lin1 grad norm 0.0, lin2 grad norm 1.9 on the first batch). The zero
weights receive distinct gradients and break symmetry after the first update.

Measured (192 steps): train MSE 0.507 -> 0.007, final val MSE 0.0089 (R^2 0.991) on
standardised targets.
"""
# traindebug-expect: clean
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman2
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


class ResBlock(nn.Module):
    """x + W2 act(W1 x); W2 starts at zero so every block is the identity at init (Fixup / 'zero-init residual')."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.lin1 = nn.Linear(dim, hidden)
        self.act = nn.SiLU()
        self.lin2 = nn.Linear(hidden, dim)
        nn.init.kaiming_uniform_(self.lin1.weight, nonlinearity="relu")
        nn.init.zeros_(self.lin2.weight)
        nn.init.zeros_(self.lin2.bias)

    def forward(self, x):
        return x + self.lin2(self.act(self.lin1(x)))


class ResRegressor(nn.Module):
    def __init__(self, d_in, dim=48, hidden=96, n_blocks=6):
        super().__init__()
        self.inp = nn.Linear(d_in, dim)
        self.blocks = nn.ModuleList(ResBlock(dim, hidden) for _ in range(n_blocks))
        self.out = nn.Linear(dim, 1)

    def forward(self, x):
        h = self.inp(x)
        for blk in self.blocks:
            h = blk(h)
        return self.out(h).squeeze(-1)


def batches(X, y, bs, gen):
    perm = torch.randperm(len(X), generator=gen)
    for i in range(0, len(X), bs):
        j = perm[i:i + bs]
        yield X[j], y[j]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--bs", type=int, default=100)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    torch.manual_seed(args.seed)

    X, y = make_friedman2(n_samples=2000, noise=20.0, random_state=args.seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=args.seed)
    sx = StandardScaler().fit(X_tr)
    sy = StandardScaler().fit(y_tr[:, None])
    f32 = lambda a: torch.tensor(a, dtype=torch.float32)
    X_tr, X_te = f32(sx.transform(X_tr)), f32(sx.transform(X_te))
    y_tr, y_te = f32(sy.transform(y_tr[:, None])[:, 0]), f32(sy.transform(y_te[:, None])[:, 0])

    model = ResRegressor(X_tr.shape[1])
    opt = torch.optim.RMSprop(model.parameters(), lr=args.lr, alpha=0.95)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    gen = torch.Generator().manual_seed(args.seed)

    for ep in range(args.epochs):
        model.train()
        losses = []
        for xb, yb in batches(X_tr, y_tr, args.bs, gen):
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            val = nn.functional.mse_loss(model(X_te), y_te).item()
        sched.step(val)
        if ep % 3 == 0 or ep == args.epochs - 1:
            print(f"epoch {ep + 1:2d} train_mse {np.mean(losses):.4f} val_mse {val:.4f} r2 {1 - val / y_te.var().item():.3f}")
    print(f"final val_mse {val:.4f}")


if __name__ == "__main__":
    main()

"""Seeded bug (lr_too_high): the "linear scaling rule" multiplies base_lr by the batch size
(0.005*64 = 0.32) although the optimizer is Adam, whose step size does not scale with batch size.
Measured: epoch-1 train MSE 53.3 (spike; standardized target), final val MSE 1.50;
fixed (lr = base_lr): epoch-1 train MSE 0.66, final val MSE 0.595.
"""
# traindebug-expect: lr_too_high
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def get_data(seed):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=seed)
    xs, ys = StandardScaler().fit(Xtr), StandardScaler().fit(ytr[:, None])
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return (f(xs.transform(Xtr)), f(ys.transform(ytr[:, None])),
            f(xs.transform(Xva)), f(ys.transform(yva[:, None])))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--base-lr", type=float, default=0.005, help="lr for a batch of 1; scaled linearly")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    Xtr, ytr, Xva, yva = get_data(args.seed)
    model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    lr = args.base_lr * args.batch_size  # linear scaling rule (Goyal et al.)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(args.momentum, 0.999))
    loss_fn = nn.MSELoss()

    n = len(Xtr)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = loss_fn(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        if epoch % 10 == 9 or epoch == 0:
            model.eval()
            with torch.no_grad():
                va = loss_fn(model(Xva), yva).item()
            print(f"epoch {epoch + 1:3d}  train_mse {tot / n:.4f}  val_mse {va:.4f}")


if __name__ == "__main__":
    main()

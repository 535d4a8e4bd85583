"""Binary classification on a circles + moons mixture with an MLP built by a small helper,
AdamW, step-based loop.

Seeded bug (underfitting): the `mlp()` helper takes an `act` argument but never inserts
it between the Linear layers, so the "4-layer MLP" is a single linear map and cannot
represent the non-linear decision boundary. Updates are healthy; capacity is the problem.

Measured (300 steps): train BCE plateaus at 0.652, train_acc 0.675, val_acc 0.670.
Fixed copy (Tanh between hidden layers): train BCE 0.0023, train/val acc 1.000.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_circles, make_moons


def mlp(sizes, act=nn.Tanh, out_act=None):
    layers = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(d_in, d_out))
    if out_act is not None:
        layers.append(out_act())
    return nn.Sequential(*layers)


def make_data(n, seed):
    xc, yc = make_circles(n_samples=n // 2, noise=0.06, factor=0.5, random_state=seed)
    xm, ym = make_moons(n_samples=n // 2, noise=0.08, random_state=seed + 1)
    xm = xm * 0.6 + np.array([3.0, 0.0])
    X = np.vstack([xc, xm]).astype(np.float32)
    y = np.concatenate([yc, ym]).astype(np.float32)
    X = (X - X.mean(0)) / X.std(0)
    return torch.from_numpy(X), torch.from_numpy(y)


def main():
    torch.manual_seed(42)
    X, y = make_data(3000, seed=42)
    Xv, yv = make_data(1000, seed=7)

    model = mlp([2, 64, 64, 64, 1], act=nn.Tanh)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    loss_fn = nn.BCEWithLogitsLoss()

    steps, bs = 300, 128
    g = torch.Generator().manual_seed(0)
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(X), (bs,), generator=g)
        loss = loss_fn(model(X[idx]).squeeze(1), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                full = loss_fn(model(X).squeeze(1), y).item()
                acc_tr = ((model(X).squeeze(1) > 0).float() == y).float().mean().item()
                acc_va = ((model(Xv).squeeze(1) > 0).float() == yv).float().mean().item()
            print(f"step {step:4d}  train_bce {full:.4f}  train_acc {acc_tr:.3f}  val_acc {acc_va:.3f}")


if __name__ == "__main__":
    main()

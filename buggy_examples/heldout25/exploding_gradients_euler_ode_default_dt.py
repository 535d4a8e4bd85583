"""Neural-ODE-style classifier on sklearn digits: a linear stem, then 30 explicit
Euler steps of dh/dt = f(h, t) with one shared vector field (GELU MLP), then a
linear head. Adam, 225 steps.

Seeded bug: EulerODEBlock has a default step size dt=1.0, and ODEClassifier never
passes dt = t1 / n_steps (the --steps help says the integration runs over t in
[0, 1]). So the block integrates to t = 30 instead of t = 1: the 30 residual steps
h + 1.0 * f(h) compound, and the signal and the gradient get multiplied through
depth.

Measured: gradient norm of the ODE parameters has a median of 1.1e4 and a max of
3.8e5 in epoch 0 (and still 3e2-8e2 later); epoch-0 train loss 1897; final train
loss 2.76, test acc 0.317. With dt=1/30 passed: ODE grad norm 0.15-2.7, train
loss 2.10 -> 0.054, test acc 0.956.
"""
# traindebug-expect: exploding_gradients
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class VectorField(nn.Module):
    """f(h, t) for dh/dt = f(h, t); time enters as an extra input feature."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim + 1, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        nn.init.orthogonal_(self.fc1.weight, gain=1.0)
        nn.init.orthogonal_(self.fc2.weight, gain=1.0)
        nn.init.zeros_(self.fc1.bias)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, h, t):
        tt = torch.full_like(h[:, :1], t)
        return self.fc2(F.gelu(self.fc1(torch.cat([h, tt], dim=1))))


class EulerODEBlock(nn.Module):
    """Fixed-step explicit Euler integration of dh/dt = f(h, t) on [0, n_steps * dt]."""

    def __init__(self, func, n_steps=20, dt=1.0):
        super().__init__()
        self.func = func
        self.n_steps = n_steps
        self.dt = dt

    def forward(self, h):
        t = 0.0
        for _ in range(self.n_steps):
            h = h + self.dt * self.func(h, t)
            t += self.dt
        return h


class ODEClassifier(nn.Module):
    def __init__(self, d_in, width, n_classes, n_steps):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.ode = EulerODEBlock(VectorField(width, 2 * width), n_steps=n_steps)
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.ode(self.stem(x)))


def grad_norm(params):
    sq = [p.grad.detach().pow(2).sum() for p in params if p.grad is not None]
    return torch.sqrt(torch.stack(sq).sum()).item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--steps", type=int, default=30, help="Euler steps over t in [0, 1]")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=96)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=1, stratify=y)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

    model = ODEClassifier(64, args.width, 10, args.steps)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    ode_params = list(model.ode.parameters())

    t0 = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        losses, gnorms = [], []
        for i in range(0, len(Xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            gnorms.append(grad_norm(ode_params))
            opt.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:2d} step {step:4d} loss {np.mean(losses):10.4f} "
                  f"ode-grad-norm median {np.median(gnorms):.3e} max {np.max(gnorms):.3e} "
                  f"test acc {acc:.3f}")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()

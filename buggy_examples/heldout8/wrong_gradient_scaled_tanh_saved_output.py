"""
Seeded bug: the memory-saving custom activation ``ScaledTanh`` (LeCun's
1.7159 * tanh(2x/3)) saves its *output* for backward and computes the
derivative as A*B*(1 - y**2).  The identity d tanh(u)/du = 1 - tanh(u)**2 needs
the un-scaled tanh, i.e. 1 - (y/A)**2.  With the scaled output the factor
becomes negative as soon as |tanh(2x/3)| > 1/A ~ 0.58, so for most active
units the gradient has the wrong sign and the wrong magnitude.

Measured (seed 0, 288 SGD steps, 3-class spirals): with the bug the train
loss wanders (0.48 -> 1.57 -> 1.02) and final test accuracy is 0.541; with the
correct derivative the same run reaches train loss 0.0089 and test accuracy
0.997.
"""
# traindebug-expect: wrong_gradient
import argparse

import numpy as np
import torch
import torch.nn as nn

_A = 1.7159
_B = 2.0 / 3.0


class _ScaledTanhFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = _A * torch.tanh(_B * x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_out):
        (y,) = ctx.saved_tensors
        return grad_out * _A * _B * (1.0 - y * y)


class ScaledTanh(nn.Module):
    def forward(self, x):
        return _ScaledTanhFn.apply(x)


def lecun_init(module):
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, 0.0, module.in_features ** -0.5)
        nn.init.zeros_(module.bias)


def build_model(d_in, hidden, n_classes, depth):
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, hidden), ScaledTanh()]
        d = hidden
    layers.append(nn.Linear(d, n_classes))
    model = nn.Sequential(*layers)
    model.apply(lecun_init)
    return model


def make_spirals(n_per_class, n_classes, noise, rng):
    xs, ys = [], []
    for c in range(n_classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        theta = np.linspace(0.0, 1.95 * np.pi, n_per_class) + 2 * np.pi * c / n_classes
        theta = theta + rng.normal(0.0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], 1))
        ys.append(np.full(n_per_class, c))
    return 2.0 * np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def parse_args():
    p = argparse.ArgumentParser(description="tanh MLP on interleaved spirals")
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    rng = np.random.default_rng(args.seed)
    X, y = make_spirals(1250, 3, 0.15, rng)
    order = rng.permutation(len(y))
    n_test = len(y) // 5
    te, tr = order[:n_test], order[n_test:]
    X_tr, y_tr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
    X_te, y_te = torch.from_numpy(X[te]), torch.from_numpy(y[te])

    model = build_model(2, args.hidden, 3, args.depth)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=True)
    crit = nn.CrossEntropyLoss()

    n = len(X_tr)
    steps = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(n)
        tot, cnt = 0.0, 0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            out = model(X_tr[idx])
            loss = crit(out, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            cnt += len(idx)
            steps += 1
        if epoch % 3 == 2 or epoch == args.epochs - 1:
            with torch.no_grad():
                acc = (model(X_te).argmax(1) == y_te).float().mean().item()
            print(f"epoch {epoch + 1:2d} loss {tot / cnt:.4f} test_acc {acc:.3f}")
    print(f"{steps} steps")


if __name__ == "__main__":
    main()

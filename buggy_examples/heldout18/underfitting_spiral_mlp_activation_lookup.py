"""Three-arm spiral classification with an MLP assembled from a small
string spec ("64x3:relu") by a builder function; Adam + OneCycleLR,
mini-batches from a shuffled index tensor.

Seeded bug (underfitting): the builder resolves the activation with
getattr(nn, name.capitalize(), nn.Identity). "relu".capitalize() is "Relu",
which does not exist (the class is nn.ReLU), so the fallback nn.Identity is
silently used. The "deep" MLP is therefore a composition of affine maps, i.e.
a linear classifier, which cannot separate interleaved spirals no matter how
long it trains: the loss plateaus far above zero while gradients and updates
look perfectly healthy.
Measured (seed 0, 300 steps): buggy  final train loss 1.052, train acc 0.329, test acc 0.331;
                              fixed  final train loss 0.002, train acc 1.000, test acc 0.996.
"""
# traindebug-expect: underfitting
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

SPEC = "64x3:relu"
N_PER_CLASS = 400
BATCH = 60
EPOCHS = 15
MAX_LR = 1e-2


def spirals(n_per_class, n_classes=3, noise=0.15, seed=0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(n_classes):
        r = np.linspace(0.1, 1.0, n_per_class)
        t = np.linspace(0, 6.5, n_per_class) + 2 * math.pi * c / n_classes + rng.normal(0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, c))
    return torch.tensor(np.concatenate(xs), dtype=torch.float32), torch.tensor(np.concatenate(ys))


def build_mlp(spec, d_in, d_out):
    shape, act_name = spec.split(":")
    width, depth = (int(v) for v in shape.split("x"))
    act_cls = getattr(nn, act_name.capitalize(), nn.Identity)
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), act_cls()]
        d = width
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


def main():
    X, y = spirals(N_PER_CLASS)
    Xte, yte = spirals(150, seed=1)
    model = build_mlp(SPEC, 2, 3)
    steps_per_epoch = math.ceil(len(X) / BATCH)
    opt = torch.optim.Adam(model.parameters(), lr=MAX_LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=MAX_LR, total_steps=EPOCHS * steps_per_epoch)
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(X))
        losses = []
        for k in range(steps_per_epoch):
            idx = perm[k * BATCH:(k + 1) * BATCH]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        if epoch % 5 == 4:
            with torch.no_grad():
                tr_acc = (model(X).argmax(1) == y).float().mean().item()
                te_acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {epoch + 1:2d} loss {np.mean(losses):.4f} train acc {tr_acc:.3f} test acc {te_acc:.3f}")


if __name__ == "__main__":
    main()

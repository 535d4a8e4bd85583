"""Tabular 4-class MLP (BatchNorm, SGD+momentum) on make_classification with argparse
defaults and a linear warm-up (LambdaLR) to a peak learning rate chosen by the linear scaling rule.

Seeded bug (lr_too_high): the peak is computed as `args.base_lr * args.batch_size`, forgetting the
division by `args.ref_batch_size` (256). With base lr 0.1 and batch 128 the warm-up ramps to
12.8 instead of 0.05 (256x too large). Nothing becomes NaN: the loss spikes during/after the
ramp and then oscillates at a high level.

Measured (12 epochs, 276 steps): epoch-mean train loss 1.22 (lr ramping) -> 7.3 -> 52 -> 172
-> 290 -> 328 -> then 9-10 for the rest of the run; val loss peaks at 31845; final train loss
9.36, val acc 0.247 (chance for 4 classes).
Fixed copy (divide by ref_batch_size, peak 0.05): train loss 1.21 -> 0.068, val acc 0.909.
"""
# traindebug-expect: lr_too_high
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def get_args():
    p = argparse.ArgumentParser(description="tabular MLP with linear-scaling warm-up")
    p.add_argument("--base-lr", type=float, default=0.1, help="lr at the reference batch size")
    p.add_argument("--ref-batch-size", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--warmup-steps", type=int, default=60)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def make_model(n_in, n_classes, width=128):
    return nn.Sequential(
        nn.Linear(n_in, width), nn.BatchNorm1d(width), nn.ReLU(),
        nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(),
        nn.Linear(width, n_classes),
    )


def warmup_then_constant(warmup_steps):
    def f(step):
        return min(1.0, (step + 1) / warmup_steps)
    return f


def evaluate(model, loader, crit):
    model.eval()
    tot, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            tot += crit(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    X, y = make_classification(n_samples=4000, n_features=24, n_informative=12, n_redundant=6,
                               n_classes=4, n_clusters_per_class=2, class_sep=1.2,
                               random_state=args.seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=args.seed)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=args.batch_size, shuffle=True, drop_last=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=512)

    model = make_model(Xtr.shape[1], 4)
    # linear scaling rule: lr grows with the batch size
    peak_lr = args.base_lr * args.batch_size
    opt = torch.optim.SGD(model.parameters(), lr=peak_lr, momentum=args.momentum,
                          weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_then_constant(args.warmup_steps))
    crit = nn.CrossEntropyLoss()

    step = 0
    for epoch in range(args.epochs):
        model.train()
        running, seen = 0.0, 0
        for xb, yb in train_dl:
            loss = crit(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            running += loss.item() * len(yb)
            seen += len(yb)
        vl, va = evaluate(model, val_dl, crit)
        print(f"ep {epoch:2d} step {step:3d} lr {sched.get_last_lr()[0]:.4f} "
              f"train {running / seen:.4f} val {vl:.4f} acc {va:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

"""Seeded bug: learning rate far too high for SGD with Nesterov momentum.

The config default `--lr 1.5` (copied from a no-momentum recipe) combined with
momentum=0.9 gives an effective step of ~15x that; training on the
standardized wine data diverges within the first epochs instead of converging.
Measured (seed 0): per-batch loss goes 1.11, 0.70, 0.18, 0.99, 0.08, then
spikes to 40, 152, 290, 27914, 17043 between steps 5 and 13; the network then
collapses (as a consequence every layer-2 ReLU ends up dead) and the loss
bounces around ln 3 = 1.10 for the rest of the run: final epoch train loss
1.13, test acc 0.40. With --lr 0.05: max batch loss 1.1, final train loss
0.0007, test acc 1.00.
"""
# traindebug-expect: lr_too_high
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def get_args():
    p = argparse.ArgumentParser(description="wine classifier")
    p.add_argument("--lr", type=float, default=1.5)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=args.seed, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(scaler.transform(Xte), dtype=torch.float32)
    ytr = torch.tensor(ytr)
    yte = torch.tensor(yte)

    model = nn.Sequential(
        nn.Linear(13, args.hidden),
        nn.ReLU(),
        nn.Linear(args.hidden, args.hidden),
        nn.ReLU(),
        nn.Linear(args.hidden, 3),
    )
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()

    n = Xtr.shape[0]
    for epoch in range(args.epochs):
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(Xtr[idx])
            loss = loss_fn(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {epoch:3d}  train loss {total / n:.4f}  test acc {acc:.3f}")


if __name__ == "__main__":
    main()

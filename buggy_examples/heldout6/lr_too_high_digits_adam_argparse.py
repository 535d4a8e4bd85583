"""Digits MLP classifier trained with Adam, configured through argparse.

Seeded bug (lr_too_high): the default learning rate for Adam is 1e-1, about
50x what Adam needs for this 3-layer MLP (a typical 1e-3..5e-3). The updates
overshoot: the training loss never settles and oscillates upward
(0.67 at epoch 3 -> 1.58 at epoch 9 -> 1.39 at epoch 14) and test accuracy
decays from 0.82 to 0.56.
Measured with --lr 2e-3 (fixed): train loss 0.0034 after 15 epochs, test
accuracy 0.982.
"""
# traindebug-expect: lr_too_high
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def get_args():
    p = argparse.ArgumentParser(description="Handwritten digit classifier (8x8)")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-1)
    p.add_argument("--betas", type=float, nargs=2, default=(0.9, 0.999))
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def build_model(n_in, n_hidden, n_out):
    return nn.Sequential(
        nn.Linear(n_in, n_hidden),
        nn.ReLU(),
        nn.Linear(n_hidden, n_hidden),
        nn.ReLU(),
        nn.Linear(n_hidden, n_out),
    )


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=args.seed)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.long)
    y_te = torch.tensor(y_te, dtype=torch.long)

    model = build_model(X_tr.shape[1], args.hidden, 10)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=tuple(args.betas))
    crit = nn.CrossEntropyLoss()

    n = X_tr.shape[0]
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        running = 0.0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(X_tr[idx])
            loss = crit(logits, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(X_te).argmax(1) == y_te).float().mean().item()
            print(f"epoch {epoch:3d}  train_loss {running / n:.4f}  test_acc {acc:.3f}")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()

"""Two concentric rings (make_circles) classifier, argparse config, MLP built by a
helper into nn.Sequential, Adam, BCEWithLogitsLoss.

Seeded bug (underfitting): in build_mlp the activation append is indented under
`if dropout > 0:`, so with the default dropout=0.0 no non-linearity is ever
inserted and the 3x64 "MLP" collapses to a single affine map, which cannot
separate two concentric rings.  Gradients/updates are perfectly healthy; the
model simply has no capacity for the task.
Measured (15 epochs, 300 steps): buggy loss 0.693 (= ln 2) throughout, train acc
0.43-0.54, val acc 0.45; fixed (activation appended unconditionally) loss 0.006,
train acc 0.996, val acc 0.998.
"""
# traindebug-expect: underfitting
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_circles


def build_mlp(in_dim, widths, out_dim, act="relu", dropout=0.0):
    act_cls = {"relu": nn.ReLU, "silu": nn.SiLU, "tanh": nn.Tanh}[act]
    layers = []
    prev = in_dim
    for w in widths:
        layers.append(nn.Linear(prev, w))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
            layers.append(act_cls())
        prev = w
    layers.append(nn.Linear(prev, out_dim))
    return nn.Sequential(*layers)


def parse_args():
    p = argparse.ArgumentParser(description="two-ring classifier")
    p.add_argument("--n-samples", type=int, default=3000)
    p.add_argument("--noise", type=float, default=0.08)
    p.add_argument("--widths", type=int, nargs="+", default=[64, 64, 64])
    p.add_argument("--act", default="relu")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=3)
    return p.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    X, y = make_circles(n_samples=args.n_samples, noise=args.noise, factor=0.5, random_state=args.seed)
    X = (X - X.mean(0)) / X.std(0)
    ds = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    n_val = 500
    tr, va = torch.utils.data.random_split(ds, [len(ds) - n_val, n_val], generator=torch.Generator().manual_seed(args.seed))
    dl = DataLoader(tr, batch_size=args.batch_size, shuffle=True)
    Xva, yva = ds.tensors[0][va.indices], ds.tensors[1][va.indices]

    model = build_mlp(2, args.widths, 1, act=args.act, dropout=args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    crit = nn.BCEWithLogitsLoss()

    step = 0
    for epoch in range(args.epochs):
        model.train()
        losses, correct, seen = [], 0, 0
        for xb, yb in dl:
            logits = model(xb).squeeze(1)
            loss = crit(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            losses.append(loss.item())
            correct += ((logits > 0).float() == yb).sum().item()
            seen += len(yb)
        model.eval()
        with torch.no_grad():
            va_acc = ((model(Xva).squeeze(1) > 0).float() == yva).float().mean().item()
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:2d} step {step:3d} loss {np.mean(losses):.4f} train_acc {correct / seen:.3f} val_acc {va_acc:.3f}")


if __name__ == "__main__":
    main()

"""Seeded bug: the script calls model.eval() for a "sanity check" of the initial
validation loss and never switches back with model.train(). The whole training loop runs
in eval mode: BatchNorm uses its initial running statistics (mean 0, var 1) instead of
batch statistics and never updates them, and dropout is off. The raw wine features have
scales from ~0.1 to ~1500, so the unnormalised activations make training poor.

Measured (this script, seed 0): final train loss 0.43 (0.36-0.81 over epochs 8-39), val acc 0.80 (never stable above 0.93).
With model.train() before the loop: train loss 0.001, val acc 1.00.
"""
# traindebug-expect: wrong_mode
import argparse

import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def evaluate(model, loader, loss_fn):
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += loss_fn(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    data = load_wine()
    X = torch.tensor(data.data, dtype=torch.float32)
    y = torch.tensor(data.target, dtype=torch.long)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=args.seed, stratify=y)

    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=64)

    model = nn.Sequential(
        nn.BatchNorm1d(X.shape[1]),
        nn.Linear(X.shape[1], args.hidden),
        nn.BatchNorm1d(args.hidden),
        nn.ReLU(),
        nn.Dropout(args.dropout),
        nn.Linear(args.hidden, 3),
    )
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    model.eval()
    init_loss, init_acc = evaluate(model, val_loader, loss_fn)
    print(f"initial val loss {init_loss:.4f} acc {init_acc:.3f}")

    for epoch in range(args.epochs):
        running = 0.0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
        if epoch % 8 == 0 or epoch == args.epochs - 1:
            model.eval()
            val_loss, val_acc = evaluate(model, val_loader, loss_fn)
            print(f"epoch {epoch} train loss {running / len(Xtr):.4f} val loss {val_loss:.4f} val acc {val_acc:.3f}")


if __name__ == "__main__":
    main()

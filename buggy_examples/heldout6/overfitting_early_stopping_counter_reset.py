"""Tabular binary classifier (256-wide, 3 hidden layers) on a small noisy data set, argparse
config, validation every epoch in eval mode under torch.no_grad().

Seeded bug (overfitting): early stopping is meant to stop after `patience` epochs
without improvement and restore the best weights, but `epochs_without_improvement = 0`
sits inside the epoch loop, so the counter never exceeds 1 and training always runs all
epochs. The large network memorises the 900 noisy training rows and the last-epoch
model is kept.

Measured (25 epochs, 375 steps): best val_loss 0.518 at epoch 2; afterwards train loss
falls to 0.0015 while val_loss rises steadily to 1.451 (final val_acc 0.753).
Fixed copy (counter initialised once, reset on improvement): stops at epoch 6 and
restores epoch-2 weights, final val_loss 0.518.
"""
# traindebug-expect: overfitting
import argparse
import copy

import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def get_args():
    ap = argparse.ArgumentParser(description="tabular churn-style classifier")
    ap.add_argument("--val-size", type=float, default=0.25)
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--patience", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    X, y = make_classification(n_samples=1200, n_features=30, n_informative=8, n_redundant=4,
                               n_clusters_per_class=4, flip_y=0.08, class_sep=0.8, random_state=args.seed)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=args.val_size,
                                                      random_state=args.seed, stratify=y)
    mu, sd = X_train.mean(0), X_train.std(0)
    f32 = lambda a: torch.tensor(a, dtype=torch.float32)
    train_dl = DataLoader(TensorDataset(f32((X_train - mu) / sd), f32(y_train)),
                          batch_size=args.batch_size, shuffle=True)
    xv, yv = f32((X_val - mu) / sd), f32(y_val)

    model = nn.Sequential(
        nn.Linear(X.shape[1], args.width), nn.ReLU(),
        nn.Linear(args.width, args.width), nn.ReLU(),
        nn.Linear(args.width, args.width), nn.ReLU(),
        nn.Linear(args.width, 1),
    )
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    bce = nn.BCEWithLogitsLoss()

    best_loss, best_epoch, best_state = float("inf"), 0, None
    for epoch in range(1, args.epochs + 1):
        model.train()
        tl, n = 0.0, 0
        for xb, yb in train_dl:
            logits = model(xb).squeeze(-1)
            loss = bce(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tl += loss.item() * len(yb)
            n += len(yb)

        model.eval()
        with torch.no_grad():
            vlog = model(xv).squeeze(-1)
            vl = bce(vlog, yv).item()
            vacc = ((vlog > 0).float() == yv).float().mean().item()
        print(f"epoch {epoch:3d}  train_loss {tl / n:.4f}  val_loss {vl:.4f}  val_acc {vacc:.3f}")

        epochs_without_improvement = 0
        if vl < best_loss:
            best_loss, best_epoch = vl, epoch
            best_state = copy.deepcopy(model.state_dict())
        else:
            epochs_without_improvement += 1
        if epochs_without_improvement >= args.patience:
            print(f"early stopping at epoch {epoch}")
            model.load_state_dict(best_state)
            break

    model.eval()
    with torch.no_grad():
        vlog = model(xv).squeeze(-1)
        print(f"final model: val_loss {bce(vlog, yv).item():.4f}  "
              f"val_acc {((vlog > 0).float() == yv).float().mean().item():.3f}  (best epoch {best_epoch})")


if __name__ == "__main__":
    main()

"""Quantile regression (10th/50th/90th percentiles) of diabetes disease
progression from a small labelled cohort (120 training patients, 322 held out).
Wide MLP 10 -> 256 -> 256 -> 3 trained with the pinball loss, Adam lr 2e-3,
batch 30, 100 epochs (400 steps), argparse config.  Regularisation plan:
Gaussian input-noise augmentation (std 0.5 on standardised features) on every
training batch.  Validation pinball loss and 10-90 interval coverage are
computed every epoch under torch.no_grad().

Seeded bug: the augmentation line is `xb.add(args.noise_std * torch.randn_like(xb))`
- the out-of-place Tensor.add, whose result is thrown away (the author meant
add_ or `xb = xb + ...`).  Nothing errors; the network sees the same 120 clean
rows every epoch, memorises them, and the validation loss climbs after the
first epochs while the training loss keeps dropping.
Measured (fixed copy uses xb.add_(...)): final train pinball 0.026 vs 0.092,
final val pinball 0.321 vs 0.205 (best val 0.182 vs 0.177), val 10-90
coverage 0.17 vs 0.58 (nominal 0.80).
"""
# traindebug-expect: overfitting
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--batch-size", type=int, default=30)
parser.add_argument("--noise-std", type=float, default=0.5)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(4)

QUANTILES = torch.tensor([0.1, 0.5, 0.9])
X, y = load_diabetes(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, train_size=120, random_state=4)
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
to_t = lambda a: torch.tensor(a, dtype=torch.float32)
X_tr, X_va = to_t((X_tr - mu) / sd), to_t((X_va - mu) / sd)
y_tr, y_va = to_t((y_tr - y_mu) / y_sd).unsqueeze(1), to_t((y_va - y_mu) / y_sd).unsqueeze(1)


def pinball(pred, target):
    err = target - pred                       # (N, 3)
    return torch.maximum(QUANTILES * err, (QUANTILES - 1) * err).mean()


model = nn.Sequential(nn.Linear(10, 256), nn.ReLU(),
                      nn.Linear(256, 256), nn.ReLU(),
                      nn.Linear(256, 3))
opt = torch.optim.Adam(model.parameters(), lr=args.lr)

best_val = float("inf")
for epoch in range(args.epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    tr_losses = []
    for i in range(0, len(X_tr), args.batch_size):
        idx = perm[i:i + args.batch_size]
        xb, yb = X_tr[idx], y_tr[idx]
        xb.add(args.noise_std * torch.randn_like(xb))
        loss = pinball(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tr_losses.append(loss.item())

    model.eval()
    with torch.no_grad():
        q = model(X_va)
        val_loss = pinball(q, y_va).item()
        coverage = ((y_va >= q[:, :1]) & (y_va <= q[:, 2:])).float().mean().item()
        train_loss = pinball(model(X_tr), y_tr).item()
    best_val = min(best_val, val_loss)
    if epoch % 10 == 0 or epoch == args.epochs - 1:
        print(f"epoch {epoch:3d}  train pinball {train_loss:.4f}  val pinball {val_loss:.4f}  "
              f"val 10-90 coverage {coverage:.2f}")

print(f"final: train pinball {train_loss:.4f}  val pinball {val_loss:.4f} (best {best_val:.4f})  "
      f"coverage {coverage:.2f}")

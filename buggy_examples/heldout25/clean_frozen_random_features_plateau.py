"""Random-Fourier-feature classifier on sklearn's bundled digits data: a fixed
random cos-feature first layer (its nn.Linear is frozen with
requires_grad_(False)) followed by a trained MLP head, RMSprop, and a
ReduceLROnPlateau scheduler on the validation loss.

Healthy control. Patterns that might fool a naive detector: the first layer's
weight and bias never change and never get a .grad, yet they are deliberately
frozen (requires_grad=False) and are still handed to the optimizer through
model.parameters(), which simply skips them; the scheduler cuts the learning
rate by 0.3x mid-run (3e-3 -> 9e-4), which is intended, not a stall.

Measured (seed 0, 16 epochs x 15 steps = 240 steps): train loss 2.059 ->
0.129, val loss 1.817 -> 0.154, val accuracy 0.389 -> 0.964; one LR reduction.
"""
# traindebug-expect: clean
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


class RandomFourierFeatures(nn.Module):
    """phi(x) = sqrt(2/D) cos(Wx + b) with W ~ N(0, 1/lengthscale^2): an RBF-kernel approximation."""

    def __init__(self, in_dim, n_features, lengthscale):
        super().__init__()
        self.proj = nn.Linear(in_dim, n_features)
        with torch.no_grad():
            self.proj.weight.normal_(0.0, 1.0 / lengthscale)
            self.proj.bias.uniform_(0.0, 2 * math.pi)
        self.proj.requires_grad_(False)
        self.scale = math.sqrt(2.0 / n_features)

    def forward(self, x):
        return self.scale * torch.cos(self.proj(x))


class RFFClassifier(nn.Module):
    def __init__(self, in_dim, n_classes, n_features=768, lengthscale=4.0):
        super().__init__()
        self.features = RandomFourierFeatures(in_dim, n_features, lengthscale)
        self.head = nn.Sequential(nn.Linear(n_features, 128), nn.ReLU(), nn.Linear(128, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


def evaluate(model, loader):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    model.train()
    return loss / n, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--batch-size", type=int, default=96)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    X = X - X.mean(0)
    X_tr, X_va, y_tr, y_va = train_test_split(X, digits.target, test_size=0.25, random_state=args.seed,
                                              stratify=digits.target)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=512)

    model = RFFClassifier(X.shape[1], 10)
    opt = torch.optim.RMSprop(model.parameters(), lr=args.lr, alpha=0.9)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=1)

    for epoch in range(args.epochs):
        running = 0.0
        for xb, yb in train_dl:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
        va_loss, va_acc = evaluate(model, val_dl)
        sched.step(va_loss)
        if epoch % 3 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:2d}  train loss {running / len(X_tr):.4f}  val loss {va_loss:.4f}  "
                  f"val acc {va_acc:.3f}  lr {opt.param_groups[0]['lr']:.1e}")


if __name__ == "__main__":
    main()

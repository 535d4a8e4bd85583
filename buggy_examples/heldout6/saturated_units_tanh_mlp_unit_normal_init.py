"""3 x 128 tanh MLP on standardised sklearn digits, argparse config, SGD with
momentum.

Seeded bug (saturated_units): hidden weights are drawn with
nn.init.normal_(std=init_std) and the default --init-std is 1.0 (meant to be
~0.1, i.e. ~1/sqrt(fan_in)). With 64-128 inputs per unit the pre-activations
have std ~8-11, so the tanh units sit in their flat regions and barely
learn; the network degenerates to fixed random sign features plus a trained
linear head.
Measured: fraction of tanh pre-activations with |z| > 3 is 0.65 / 0.78 / 0.78
(layers 1-3) at step 0 and 0.66 / 0.78 / 0.78 after 270 steps; test loss
0.64, test accuracy 0.813 (train loss 0.058: it memorises, doesn't learn
features).
Fixed (--init-std 0.1): saturated fraction 0.006 / 0 / 0 at start, <= 0.011
at end; test loss 0.133, test accuracy 0.969.
"""
# traindebug-expect: saturated_units
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class TanhClassifier(nn.Module):
    def __init__(self, n_in, width, depth, n_out, init_std):
        super().__init__()
        blocks, d = [], n_in
        for _ in range(depth):
            lin = nn.Linear(d, width)
            nn.init.normal_(lin.weight, mean=0.0, std=init_std)
            nn.init.zeros_(lin.bias)
            blocks += [lin, nn.Tanh()]
            d = width
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(d, n_out)

    def forward(self, x):
        return self.head(self.features(x))


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--init-std", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--bs", type=int, default=50)
    return ap.parse_args()


def main():
    args = parse()
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-8
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = TanhClassifier(X_tr.shape[1], args.width, args.depth, 10, args.init_std)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    ce = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(X_tr))
        losses = []
        for i in range(0, len(perm), args.bs):
            idx = perm[i:i + args.bs]
            loss = ce(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            te_loss = ce(model(X_te), y_te).item()
            acc = (model(X_te).argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch + 1:3d} train_loss {np.mean(losses):.3f} test_loss {te_loss:.3f} "
              f"test_acc {acc:.3f}")


if __name__ == "__main__":
    main()

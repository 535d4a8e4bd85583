"""Highway network classifier on sklearn digits.

Input projection -> 8 highway layers (ReLU transform, sigmoid transform gate with bias -1,
carry = 1 - T) -> linear head; standardised pixels, argparse config, manual shuffled
batching (batch 64), SGD momentum 0.9, lr 0.01, 8 epochs = 168 steps.

Seeded bug: the criterion is nn.CrossEntropyLoss(reduction="sum") while the learning rate
is one meant for a per-sample mean loss.  Summing over the batch multiplies every gradient
by 64, so the effective step is 64x too large (0.64 with momentum 0.9): the loss first
improves, then explodes in epoch 2 (train loss 334 per sample, test loss 9e11) and ends in
NaN.  Summed losses are a common leftover from code that divides by the dataset size later.

Measured (seed 0, 168 steps, CPU time ~3.4 s): buggy final test loss nan, test acc 0.100;
fixed copy (mean reduction; as the mean loss needs a larger rate, lr 0.1): test loss 0.233,
test acc 0.958.  (Mean reduction with lr 0.003 x 64 behaves the same.)
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


class HighwayLayer(nn.Module):
    def __init__(self, dim, gate_bias=-1.0):
        super().__init__()
        self.transform = nn.Linear(dim, dim)
        self.gate = nn.Linear(dim, dim)
        nn.init.constant_(self.gate.bias, gate_bias)

    def forward(self, x):
        h = torch.relu(self.transform(x))
        t = torch.sigmoid(self.gate(x))
        return h * t + x * (1.0 - t)


class HighwayNet(nn.Module):
    def __init__(self, n_in, dim, depth, n_classes):
        super().__init__()
        self.inp = nn.Linear(n_in, dim)
        self.layers = nn.Sequential(*[HighwayLayer(dim) for _ in range(depth)])
        self.out = nn.Linear(dim, n_classes)

    def forward(self, x):
        return self.out(self.layers(torch.relu(self.inp(x))))


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    t0 = time.process_time()

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=args.seed, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = HighwayNet(64, args.dim, args.depth, 10)
    criterion = nn.CrossEntropyLoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    n = X_tr.size(0)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n)
        running, seen = 0.0, 0
        for i in range(0, n - args.batch_size + 1, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(X_tr[idx])
            loss = criterion(logits, y_tr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.item()
            seen += len(idx)
        model.eval()
        with torch.no_grad():
            test_logits = model(X_te)
            test_loss = nn.functional.cross_entropy(test_logits, y_te).item()
            acc = (test_logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch}  train loss/sample {running / seen:.4f}  test loss {test_loss:.4f}  test acc {acc:.3f}")

    print(f"final test accuracy {acc:.3f}")
    print(f"cpu time {time.process_time() - t0:.1f}s")


if __name__ == "__main__":
    main()

"""Deep highway network classifier on sklearn digits.

Input projection -> 20 highway layers (width 48, ReLU transform, sigmoid transform gate,
carry = 1 - T) -> linear head; standardised pixels, argparse config, manual shuffled
batching (batch 64), Adam lr 2e-3, mean cross-entropy, 8 epochs = 168 steps.

Healthy control: the transform-gate biases are initialised to -3, as recommended in the
highway-network paper for deep stacks, so every layer starts close to the identity (carry)
and the 20-layer network trains as easily as a shallow one.

Possible false alarm: at initialisation the gates sit at sigmoid(-3) ~ 0.05, in the flat
region of the sigmoid, and the transform weights of each layer receive gradients scaled
down by T ~ 0.05, so a naive detector may report saturated gate units or small/vanishing
gradients in the transform layers.  They are by design and training is healthy.

Measured (seed 0, 168 steps, CPU time ~5.7 s): final train loss 0.050, test loss 0.170,
test accuracy 0.940.
"""
# traindebug-expect: clean
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


class HighwayLayer(nn.Module):
    def __init__(self, dim, gate_bias=-3.0):
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
    p.add_argument("--dim", type=int, default=48)
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-3)
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
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

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
            running += loss.item() * len(idx)
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

"""
Gated attention MIL on bags of load_digits images: each bag holds 10 digit images and is
positive iff it contains a '7' (about half the bags). Instance MLP 64-96-96 with ReLU,
gated (tanh * sigmoid) attention softmax over instances, linear bag head, BCE with logits,
SGD Nesterov momentum 0.9, lr 0.05, 16 bags per step, 10 epochs (300 steps), argparse.

Seeded bug: the trainable parameters are collected with a generator expression,
params = (p for p in model.parameters() if p.requires_grad), which the SGD constructor
consumes. reset_grads() later loops over the same, now exhausted, generator and therefore
never clears anything: .grad accumulates over all steps, effective step size grows every
iteration and training blows up. A classic Python iterator pitfall; the loop looks correct.

Measured (seed 0, 1 thread): buggy: train BCE 0.74 -> 119.8, test BCE 143, test bag accuracy
0.500 (chance). Fixed copy (params as a list): train BCE 0.028, test BCE 0.043, test accuracy
0.980.
"""
# traindebug-expect: missing_zero_grad
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits


def build_bags(X, y, n_bags, bag_size, target, rng):
    """Each bag holds `bag_size` digit images; label 1 iff the target digit is present."""
    pos_pool = np.where(y == target)[0]
    neg_pool = np.where(y != target)[0]
    bags = np.empty((n_bags, bag_size), dtype=np.int64)
    labels = np.zeros(n_bags, dtype=np.float32)
    for b in range(n_bags):
        idx = rng.choice(neg_pool, bag_size, replace=False)
        if rng.random() < 0.5:
            k = rng.integers(1, 3)
            idx[:k] = rng.choice(pos_pool, k, replace=False)
            rng.shuffle(idx)
            labels[b] = 1.0
        bags[b] = idx
    return torch.tensor(X[bags], dtype=torch.float32), torch.tensor(labels)


class GatedAttentionMIL(nn.Module):
    def __init__(self, d_in=64, d_hid=96, d_att=48):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(d_in, d_hid), nn.ReLU(), nn.Linear(d_hid, d_hid), nn.ReLU())
        self.att_v = nn.Linear(d_hid, d_att)
        self.att_u = nn.Linear(d_hid, d_att)
        self.att_w = nn.Linear(d_att, 1)
        self.head = nn.Linear(d_hid, 1)

    def forward(self, bags):                         # bags: (B, K, 64)
        h = self.features(bags)                      # (B, K, d_hid)
        scores = self.att_w(torch.tanh(self.att_v(h)) * torch.sigmoid(self.att_u(h)))
        a = torch.softmax(scores, dim=1)             # over instances of each bag
        z = (a * h).sum(dim=1)
        return self.head(z).squeeze(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--bag-size", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    t0 = time.process_time()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    perm = rng.permutation(len(X))
    tr, te = perm[:1300], perm[1300:]
    Xb_tr, yb_tr = build_bags(X[tr], y[tr], 480, args.bag_size, 7, rng)
    Xb_te, yb_te = build_bags(X[te], y[te], 300, args.bag_size, 7, rng)

    model = GatedAttentionMIL()
    params = (p for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, nesterov=True)

    def reset_grads():
        for p in params:
            p.grad = None

    n, step = len(Xb_tr), 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n)
        tot = 0.0
        for i in range(0, n, args.batch_size):
            idx = order[i:i + args.batch_size]
            logits = model(Xb_tr[idx])
            loss = F.binary_cross_entropy_with_logits(logits, yb_tr[idx])
            reset_grads()
            loss.backward()
            optimizer.step()
            tot += loss.item() * len(idx)
            step += 1
        model.eval()
        with torch.no_grad():
            te_logits = model(Xb_te)
            te_loss = F.binary_cross_entropy_with_logits(te_logits, yb_te).item()
            te_acc = ((te_logits > 0).float() == yb_te).float().mean().item()
        print(f"epoch {epoch}  step {step:3d}  train bce {tot / n:.4f}  test bce {te_loss:.4f}  test acc {te_acc:.3f}")
    print(f"final test bag accuracy {te_acc:.3f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()

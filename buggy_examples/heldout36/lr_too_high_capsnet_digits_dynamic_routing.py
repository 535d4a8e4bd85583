"""CapsNet-style classifier with dynamic routing (Sabour et al. 2017) on sklearn digits.

Conv stem -> primary capsules (4 types x 4x4 grid, 8-D) -> 10 digit capsules (16-D)
with 3 routing-by-agreement iterations; margin loss on the capsule lengths.  Adam,
argparse config, DataLoader with batch 48, 6 epochs (180 optimizer steps).

Seeded bug: the argparse default for --lr is 0.1 (the value from the author's SGD
baseline) while the optimizer is Adam, whose per-parameter step is ~lr regardless of
the gradient magnitude.  Every weight moves by ~0.1 per step: the margin loss jumps from
0.81 to 3.39 on the second step, then bounces around ~1.0 with spikes; the conv stem
and capsule transforms are thrown far from any useful solution and the network never
separates the classes.  Realistic: copying an SGD learning rate into an Adam setup.

Measured (seed 0, 180 steps): buggy final train loss 0.484, test loss 0.492, test acc
0.100; fixed copy (--lr 1e-3): train loss 0.117, test loss 0.118, test acc 0.917.
"""
# traindebug-expect: lr_too_high
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def squash(s, dim=-1, eps=1e-8):
    sq = (s * s).sum(dim=dim, keepdim=True)
    return (sq / (1.0 + sq)) * s / torch.sqrt(sq + eps)


class CapsNet(nn.Module):
    def __init__(self, n_types=4, prim_dim=8, n_classes=10, out_dim=16, iters=3):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3)                      # 8x8 -> 6x6
        self.primary = nn.Conv2d(16, n_types * prim_dim, 3)  # 6x6 -> 4x4
        self.n_types, self.prim_dim, self.iters = n_types, prim_dim, iters
        n_in = n_types * 16
        self.W = nn.Parameter(0.05 * torch.randn(n_in, n_classes, out_dim, prim_dim))

    def forward(self, x):
        h = F.relu(self.stem(x))
        p = self.primary(h)                                  # B, types*dim, 4, 4
        B = p.shape[0]
        p = p.view(B, self.n_types, self.prim_dim, 16).permute(0, 1, 3, 2)
        u = squash(p.reshape(B, -1, self.prim_dim))          # B, n_in, prim_dim
        u_hat = torch.einsum("icdk,bik->bicd", self.W, u)     # B, n_in, C, out_dim
        b = torch.zeros(u_hat.shape[:3], device=x.device)
        for it in range(self.iters):
            c = F.softmax(b, dim=2)
            v = squash((c.unsqueeze(-1) * u_hat).sum(dim=1))  # B, C, out_dim
            if it < self.iters - 1:
                b = b + (u_hat * v.unsqueeze(1)).sum(-1)
        return v.norm(dim=-1)


def margin_loss(lengths, y, m_pos=0.9, m_neg=0.1, lam=0.5):
    t = F.one_hot(y, lengths.shape[1]).float()
    pos = t * F.relu(m_pos - lengths) ** 2
    neg = lam * (1 - t) * F.relu(lengths - m_neg) ** 2
    return (pos + neg).sum(dim=1).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=48)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=args.seed, stratify=y)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=args.batch_size, shuffle=True)
    Xte_t, yte_t = torch.from_numpy(Xte), torch.from_numpy(yte)

    model = CapsNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        running, n = 0.0, 0
        for xb, yb in train_dl:
            loss = margin_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(xb)
            n += len(xb)
            step += 1
        model.eval()
        with torch.no_grad():
            lengths = model(Xte_t)
            test_loss = margin_loss(lengths, yte_t).item()
            acc = (lengths.argmax(1) == yte_t).float().mean().item()
        print(f"epoch {epoch + 1} step {step} train_loss {running / n:.4f} "
              f"test_loss {test_loss:.4f} test_acc {acc:.3f}")
    print(f"final test accuracy: {acc:.3f}")


if __name__ == "__main__":
    t0 = time.process_time()
    main()
    print(f"cpu time {time.process_time() - t0:.1f}s")

"""CapsNet-style classifier with dynamic routing (Sabour et al. 2017) on sklearn digits.

Conv stem -> primary capsules (4 types x 4x4 grid, 8-D) -> 10 digit capsules (16-D) with
3 routing-by-agreement iterations; margin loss on capsule lengths.  Adam 3e-3 with a
per-epoch exponential decay (gamma 0.8), argparse config, DataLoader batch 48, 6 epochs
(180 optimizer steps).

Healthy control: during the intermediate routing iterations the prediction vectors are
used through `u_hat.detach()`, as in several reference CapsNet implementations: the
agreement updates of the coupling logits are treated as constants and gradients flow
only through the final iteration (which uses the non-detached u_hat).  Every parameter
still receives a gradient every step.

Possible false alarm: a detector looking for `.detach()` inside forward(), or for parts
of the computation graph that carry no gradient, may call this no_gradient_flow; the
stepwise-decaying learning rate (0.8 per epoch, 0.26x at the end) might also look like
an lr decaying towards zero.

Measured (seed 0, 180 steps): final train loss 0.091, test loss 0.096, test accuracy 0.936.
"""
# traindebug-expect: clean
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
        u_hat_d = u_hat.detach()
        for it in range(self.iters):
            c = F.softmax(b, dim=2)
            if it < self.iters - 1:
                v = squash((c.unsqueeze(-1) * u_hat_d).sum(dim=1))
                b = b + (u_hat_d * v.unsqueeze(1)).sum(-1)
            else:
                v = squash((c.unsqueeze(-1) * u_hat).sum(dim=1))  # B, C, out_dim
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
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--gamma", type=float, default=0.8)
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
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=args.gamma)

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
        sched.step()
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

"""argparse-configured tabular model (categorical embeddings + numeric features),
Adam with two parameter groups (embeddings vs MLP, different learning rates).

Seeded bug (over_regularization): --weight-decay defaults to 0.05 (a value in the
AdamW range) but is passed to plain Adam, where it is coupled L2 added to the
gradient before normalisation; the decay term dominates the data gradient and
shrinks the weights every epoch.
Measured (228 steps): buggy weight norm 11.8 -> 3.9, train BCE stuck ~0.60,
val BCE 0.607, val acc 0.702; fixed (weight_decay 1e-4): weight norm ~18.5,
train BCE 0.33, val BCE 0.477 (best 0.467), val acc 0.785.
"""
# traindebug-expect: over_regularization
import argparse

import numpy as np
import torch
import torch.nn as nn


def get_args():
    p = argparse.ArgumentParser(description="churn model with categorical embeddings")
    p.add_argument("--n-rows", type=int, default=3000)
    p.add_argument("--emb-dim", type=int, default=8)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--lr-emb", type=float, default=1e-2)
    p.add_argument("--lr-mlp", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def synth_table(n, rng):
    cards = [12, 30, 6]
    cats = np.stack([rng.integers(0, c, n) for c in cards], 1)
    nums = rng.normal(0, 1, (n, 5)).astype(np.float32)
    eff = [rng.normal(0, 1.2, c) for c in cards]
    logit = sum(e[cats[:, j]] for j, e in enumerate(eff))
    logit += 1.5 * nums[:, 0] - 1.0 * nums[:, 1] * nums[:, 2] + 0.8 * np.sin(2 * nums[:, 3])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return cats, nums, y, cards


class TabularNet(nn.Module):
    def __init__(self, cards, n_num, emb_dim, hidden):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, emb_dim) for c in cards)
        self.mlp = nn.Sequential(
            nn.Linear(len(cards) * emb_dim + n_num, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, cats, nums):
        e = [emb(cats[:, j]) for j, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [nums], 1)).squeeze(1)


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cats, nums, y, cards = synth_table(args.n_rows, rng)
    cats, nums, y = torch.from_numpy(cats).long(), torch.from_numpy(nums), torch.from_numpy(y)
    n_tr = int(0.8 * args.n_rows)

    model = TabularNet(cards, nums.shape[1], args.emb_dim, args.hidden)
    optimizer = torch.optim.Adam(
        [
            {"params": model.embs.parameters(), "lr": args.lr_emb},
            {"params": model.mlp.parameters(), "lr": args.lr_mlp},
        ],
        weight_decay=args.weight_decay,
    )
    crit = nn.BCEWithLogitsLoss()

    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(n_tr)
        for i in range(0, n_tr, args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = crit(model(cats[idx], nums[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        if epoch % 3 == 0:
            model.eval()
            with torch.no_grad():
                tr = crit(model(cats[:n_tr], nums[:n_tr]), y[:n_tr]).item()
                logits = model(cats[n_tr:], nums[n_tr:])
                va = crit(logits, y[n_tr:]).item()
                acc = ((logits > 0).float() == y[n_tr:]).float().mean().item()
                wnorm = sum(p.norm() ** 2 for p in model.parameters()).sqrt().item()
            print(f"epoch {epoch:2d} step {step} train_bce {tr:.4f} val_bce {va:.4f} "
                  f"val_acc {acc:.3f} |w| {wnorm:.2f}")


if __name__ == "__main__":
    main()

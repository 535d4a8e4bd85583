"""Seeded bug (overfitting): a 120-512-512-8 MLP (~330k parameters) is trained on only
160 multi-label examples for 35 epochs with no weight decay, no dropout and no early
stopping, while per-label decision thresholds are tuned on a calibration slice of the
validation set.
Measured (350 AdamW steps): train BCE 0.945 -> 0.0006, while val BCE falls to 0.643 at
epoch 5 and then climbs steadily to 1.017 at epoch 35 (val micro-F1 plateaus ~0.76).
For comparison, --hidden 48 --weight-decay 0.3 --lr 2e-3 gives val BCE 0.558 at
epoch 10 (0.707 at epoch 35, train BCE 0.0086) and micro-F1 0.77-0.78; stopping the
default run at its best epoch would keep val BCE at 0.643.
"""
# traindebug-expect: overfitting
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score

torch.set_num_threads(1)


def get_args():
    p = argparse.ArgumentParser(description="multi-label tagger with per-label thresholds")
    p.add_argument("--n-train", type=int, default=160)
    p.add_argument("--n-val", type=int, default=600)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--epochs", type=int, default=35)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=5)
    return p.parse_args()


def tune_thresholds(probs, targets, grid=np.linspace(0.05, 0.95, 19)):
    """Pick, for each label independently, the threshold maximising that label's F1."""
    th = np.full(probs.shape[1], 0.5)
    for j in range(probs.shape[1]):
        scores = [f1_score(targets[:, j], probs[:, j] >= g, zero_division=0) for g in grid]
        th[j] = grid[int(np.argmax(scores))]
    return th


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    X, Y = make_multilabel_classification(n_samples=args.n_train + args.n_val, n_features=120,
                                          n_classes=8, n_labels=2, length=150,
                                          allow_unlabeled=False, random_state=args.seed)
    X = np.log1p(X).astype(np.float32)
    X = (X - X[:args.n_train].mean(0)) / (X[:args.n_train].std(0) + 1e-6)
    Xtr, Ytr = torch.tensor(X[:args.n_train]), torch.tensor(Y[:args.n_train], dtype=torch.float32)
    Xva, Yva = torch.tensor(X[args.n_train:]), torch.tensor(Y[args.n_train:], dtype=torch.float32)

    model = nn.Sequential(
        nn.Linear(120, args.hidden), nn.ReLU(),
        nn.Linear(args.hidden, args.hidden), nn.ReLU(),
        nn.Linear(args.hidden, 8),
    )
    pos_frac = Ytr.mean(0).clamp(0.05, 0.95)
    crit = nn.BCEWithLogitsLoss(pos_weight=(1 - pos_frac) / pos_frac)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(args.n_train)
        tl = 0.0
        for i in range(0, args.n_train, args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = crit(model(Xtr[idx]), Ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tl += loss.item() * len(idx)
        if epoch % 5 == 0 or epoch == 1:
            model.eval()
            with torch.no_grad():
                vlogits = model(Xva)
                vl = crit(vlogits, Yva).item()
                vprob = torch.sigmoid(vlogits).numpy()
            # thresholds tuned on the first 200 validation rows, F1 reported on the rest
            th = tune_thresholds(vprob[:200], Yva[:200].numpy())
            mf1 = f1_score(Yva[200:].numpy(), vprob[200:] >= th, average="micro", zero_division=0)
            print(f"epoch {epoch:3d}  train_bce {tl / args.n_train:.4f}  val_bce {vl:.4f}  val_microF1 {mf1:.3f}")


if __name__ == "__main__":
    main()

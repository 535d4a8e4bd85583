"""Imbalanced binary classification (8% positives, make_classification) with a
sigmoid focal loss (alpha=0.75, gamma=2) and an MLP, argparse-configured.

Seeded bug (loss_output_mismatch): the model ends in nn.Sigmoid() (handy for
thresholding at 0.5 at inference), but the focal loss treats its input as
logits (sigmoid + binary_cross_entropy_with_logits inside). The loss therefore
sees sigmoid(sigmoid(z)) in [0.5, 0.73]: its floor is far above zero and the
gradient for confident examples collapses.

Measured (12 epochs, 288 Adam steps): buggy final train focal loss 0.0431
(floor, flat from epoch 6), test recall@0.5 0.776, AP 0.909, AUC 0.960;
fixed (raw logits into the loss, threshold 0 on logits): focal loss 0.0060 and
still falling, recall 0.871, AP 0.921, AUC 0.963.
"""
# traindebug-expect: loss_output_mismatch
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=12)
p.add_argument("--batch-size", type=int, default=128)
p.add_argument("--lr", type=float, default=3e-3)
p.add_argument("--gamma", type=float, default=2.0)
p.add_argument("--alpha", type=float, default=0.75)
p.add_argument("--seed", type=int, default=7)
args = p.parse_args()

torch.manual_seed(args.seed)
X, y = make_classification(n_samples=4000, n_features=24, n_informative=10, n_redundant=6,
                           weights=[0.92, 0.08], class_sep=0.8, flip_y=0.01, random_state=args.seed)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=args.seed)
sc = StandardScaler().fit(Xtr)
Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
ytr = torch.tensor(ytr, dtype=torch.float32)


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):
    """Lin et al. 2017, as in torchvision.ops.sigmoid_focal_loss."""
    p = torch.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return (alpha_t * loss).mean()


model = nn.Sequential(
    nn.Linear(24, 64), nn.GELU(),
    nn.Linear(64, 64), nn.GELU(),
    nn.Linear(64, 1), nn.Sigmoid(),
)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)

n = len(Xtr)
step = 0
for epoch in range(args.epochs):
    perm = torch.randperm(n)
    run = 0.0
    for i in range(0, n, args.batch_size):
        b = perm[i:i + args.batch_size]
        out = model(Xtr[b]).squeeze(1)
        loss = sigmoid_focal_loss(out, ytr[b], alpha=args.alpha, gamma=args.gamma)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        run += loss.item() * len(b)
    if epoch % 3 == 0 or epoch == args.epochs - 1:
        print(f"epoch {epoch:2d} step {step:4d} focal {run / n:.4f}")

model.eval()
with torch.no_grad():
    score = model(Xte).squeeze(1).numpy()
pred = (score > 0.5).astype(int)
tp = ((pred == 1) & (yte == 1)).sum()
rec = tp / max(1, (yte == 1).sum())
prec = tp / max(1, pred.sum())
print(f"test AUC {roc_auc_score(yte, score):.3f}  AP {average_precision_score(yte, score):.3f}  "
      f"recall@0.5 {rec:.3f}  precision@0.5 {prec:.3f}")

"""Multi-task MLP on sklearn digits (standardised): shared trunk 64->128->64 ReLU and three heads in an
nn.ModuleDict (10-way digit CE, digit>=5 BCE, stroke-size regression MSE, aux weight 0.5). SGD momentum 0.9,
lr 0.03, grad-norm clipping at 1.0, DataLoader batch 64, 14 epochs (~310 steps), argparse config.

Seeded bug: the loop calls trunk.zero_grad() instead of optimizer.zero_grad(); the heads live outside the trunk,
so their .grad keeps accumulating across all steps. The stale, ever-growing head gradients dominate the
clipped total norm, so the trunk's share of each update shrinks and the heads keep drifting along old directions.

Measured: final test loss 0.594, ink MSE 0.808, digit acc 0.973 with the bug versus test loss 0.330, ink MSE
0.332, digit acc 0.967 for a fixed copy calling optimizer.zero_grad(). Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: missing_zero_grad
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=14)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--lr", type=float, default=0.03)
parser.add_argument("--clip", type=float, default=1.0)
parser.add_argument("--aux-weight", type=float, default=0.5)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
X = digits.data.astype(np.float32)
y_cls = digits.target
y_big = (digits.target >= 5).astype(np.float32)               # auxiliary task 1
ink = (digits.data > 8).sum(1).astype(np.float32)              # auxiliary task 2: stroke size
ink = (ink - ink.mean()) / ink.std()

idx_tr, idx_te = train_test_split(np.arange(len(X)), test_size=0.25, random_state=0, stratify=y_cls)
scaler = StandardScaler().fit(X[idx_tr])
Xs = scaler.transform(X).astype(np.float32)


def tensors(idx):
    return (torch.from_numpy(Xs[idx]), torch.from_numpy(y_cls[idx]),
            torch.from_numpy(y_big[idx]), torch.from_numpy(ink[idx]))


train_dl = DataLoader(TensorDataset(*tensors(idx_tr)), batch_size=args.batch_size, shuffle=True)
test_set = tensors(idx_te)

trunk = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
heads = nn.ModuleDict({
    "digit": nn.Linear(64, 10),
    "big": nn.Linear(64, 1),
    "ink": nn.Linear(64, 1),
})
params = list(trunk.parameters()) + list(heads.parameters())
optimizer = torch.optim.SGD(params, lr=args.lr, momentum=0.9)


def multitask_loss(feats, yc, yb, yi):
    l_digit = F.cross_entropy(heads["digit"](feats), yc)
    l_big = F.binary_cross_entropy_with_logits(heads["big"](feats).squeeze(1), yb)
    l_ink = F.mse_loss(heads["ink"](feats).squeeze(1), yi)
    return l_digit + args.aux_weight * (l_big + l_ink), (l_digit, l_big, l_ink)


@torch.no_grad()
def evaluate():
    xb, yc, yb, yi = test_set
    feats = trunk(xb)
    total, parts = multitask_loss(feats, yc, yb, yi)
    acc = (heads["digit"](feats).argmax(1) == yc).float().mean().item()
    big_acc = ((heads["big"](feats).squeeze(1) > 0).float() == yb).float().mean().item()
    return total.item(), acc, big_acc, parts[2].item()


step = 0
for epoch in range(args.epochs):
    for xb, yc, yb, yi in train_dl:
        trunk.zero_grad()
        loss, _ = multitask_loss(trunk(xb), yc, yb, yi)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, args.clip)
        optimizer.step()
        step += 1
    if epoch % 3 == 0 or epoch == args.epochs - 1:
        tl, acc, bacc, ink_mse = evaluate()
        print(f"epoch {epoch:2d} step {step:4d} train loss {loss.item():.3f} | test loss {tl:.3f} "
              f"digit acc {acc:.3f} big acc {bacc:.3f} ink mse {ink_mse:.3f}")

tl, acc, bacc, ink_mse = evaluate()
print(f"final test: loss {tl:.3f}  digit acc {acc:.3f}  big acc {bacc:.3f}  ink mse {ink_mse:.3f}")

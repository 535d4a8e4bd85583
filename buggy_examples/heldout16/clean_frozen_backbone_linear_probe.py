"""Healthy control: two-stage transfer on digits. A BatchNorm MLP backbone is pretrained on
digits 0-4, then frozen and a new linear head is trained on digits 5-9 (linear probe).

Patterns that may fool a naive detector: in stage 2 the backbone parameters have
requires_grad=False and get no gradients, and the backbone is deliberately kept in
eval mode (frozen BatchNorm statistics) while the head is trained in train mode; the
first-stage head is simply abandoned.

Measured (280 Adam steps in total): pretrain loss 1.00 -> 0.09, source acc 0.996;
probe loss 1.36 -> 0.39, target acc 0.888.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
Xtr, Xte = torch.tensor(Xtr), torch.tensor(Xte)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

# stage 1 uses digits 0-4, stage 2 transfers the features to digits 5-9
src_tr, tgt_tr = ytr < 5, ytr >= 5
src_te, tgt_te = yte < 5, yte >= 5

backbone = nn.Sequential(
    nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(),
    nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
)
src_head = nn.Linear(64, 5)


def run_epoch(net, opt, Xs, ys, batch):
    perm = torch.randperm(len(Xs))
    tot, nb = 0.0, 0
    for i in range(0, len(Xs), batch):
        idx = perm[i:i + batch]
        loss = F.cross_entropy(net(Xs[idx]), ys[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item(); nb += 1
    return tot / nb


@torch.no_grad()
def accuracy(net, Xs, ys):
    net.eval()
    return (net(Xs).argmax(1) == ys).float().mean().item()


# ---- stage 1: supervised pretraining on the source classes
src_model = nn.Sequential(backbone, src_head)
opt = torch.optim.Adam(src_model.parameters(), lr=1e-3)
for epoch in range(6):
    src_model.train()
    loss = run_epoch(src_model, opt, Xtr[src_tr], ytr[src_tr], 32)
    print(f"pretrain epoch {epoch} loss {loss:.3f} src acc {accuracy(src_model, Xte[src_te], yte[src_te]):.3f}")

# ---- stage 2: linear probe; backbone frozen, BatchNorm statistics kept from pretraining
for p in backbone.parameters():
    p.requires_grad_(False)
tgt_head = nn.Linear(64, 5)
tgt_model = nn.Sequential(backbone, tgt_head)
opt = torch.optim.Adam(tgt_head.parameters(), lr=5e-3)
for epoch in range(8):
    tgt_model.train()
    backbone.eval()
    loss = run_epoch(tgt_model, opt, Xtr[tgt_tr], ytr[tgt_tr] - 5, 32)
    print(f"probe epoch {epoch} loss {loss:.3f} tgt acc {accuracy(tgt_model, Xte[tgt_te], yte[tgt_te] - 5):.3f}")

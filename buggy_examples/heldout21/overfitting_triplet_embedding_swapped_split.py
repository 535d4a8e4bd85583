"""Seeded bug: the outputs of train_test_split are unpacked in the wrong order
(val first), so the wide embedding network is trained on the 10 % split (180 digits) and
"validated" on the other 90 %; with no regularisation and 120 epochs the batch-hard
triplet loss on the tiny training set goes to ~0 while held-out metrics degrade.
Measured (this script vs. a copy with the correct unpacking): train batch-hard
triplet loss 0.587 -> 0.000 while held-out triplet loss falls to 0.422 at epoch 20 and then
rises to 0.610 (240 Adam steps); held-out 3-NN accuracy 0.939 vs 0.978 for the correctly
split run (14 epochs, about the same number of steps).
"""
# traindebug-expect: overfitting
import math
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
g = torch.Generator().manual_seed(4)
torch.manual_seed(4)


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.randn(fan_out, fan_in, generator=g) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def embed(params, x):
    n = len(params) // 2
    for i in range(n):
        x = F.linear(x, params[2 * i], params[2 * i + 1])
        if i < n - 1:
            x = F.relu(x)
    return F.normalize(x, dim=1)


def batch_hard_triplet(z, y, margin=0.3):
    d = torch.cdist(z, z)
    same = y[:, None] == y[None, :]
    eye = torch.eye(len(y), dtype=torch.bool)
    pos = d.masked_fill(~same | eye, -1.0).max(1).values
    neg = d.masked_fill(same, 1e9).min(1).values
    valid = pos >= 0
    return F.relu(pos - neg + margin)[valid].mean()


@torch.no_grad()
def knn_acc(params, xq, yq, xg, yg, k=3):
    d = torch.cdist(embed(params, xq), embed(params, xg))
    nn_idx = d.topk(k, largest=False).indices
    votes = F.one_hot(yg[nn_idx], 10).sum(1)
    return (votes.argmax(1) == yq).float().mean().item()


X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.5).astype(np.float32)
X_val, X_train, y_val, y_train = train_test_split(X, y, test_size=0.1, random_state=0, stratify=y)
Xtr, ytr = torch.from_numpy(X_train), torch.from_numpy(y_train)
Xva, yva = torch.from_numpy(X_val), torch.from_numpy(y_val)
print(f"train {len(Xtr)} / val {len(Xva)}")

params = init_params([64, 256, 256, 32])
opt = torch.optim.Adam(params, lr=4e-4)
bs = 90
for epoch in range(120):
    perm = torch.randperm(len(Xtr), generator=g)
    for i in range(0, len(Xtr) - bs + 1, bs):
        idx = perm[i:i + bs]
        loss = batch_hard_triplet(embed(params, Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 0 or epoch == 119:
        with torch.no_grad():
            tr_loss = batch_hard_triplet(embed(params, Xtr), ytr).item()
            vsub = slice(0, 400)
            va_loss = batch_hard_triplet(embed(params, Xva[vsub]), yva[vsub]).item()
        acc = knn_acc(params, Xva, yva, Xtr, ytr)
        print(f"epoch {epoch:3d} train_triplet {tr_loss:.4f} val_triplet {va_loss:.4f} val_knn_acc {acc:.3f}")

"""Small hyperparameter sweep (lr x hidden width, 6 short RMSprop runs) on breast cancer.

Seeded bug (label_problem): the rows of X are split with a random permutation
(tr_idx), but the training labels are taken positionally as y[n_val:], so the
training labels are not aligned with the training inputs. Every sweep run sits
near the class-prior loss. Measured: buggy sweep train loss 0.59-0.66, best val
acc 0.693; with y[tr_idx] train loss 0.06-0.37, best val acc 0.979.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
torch.set_num_threads(2)
rng = np.random.default_rng(0)

X, y = load_breast_cancer(return_X_y=True)
order = rng.permutation(len(X))
n_val = 140
val_idx, tr_idx = order[:n_val], order[n_val:]

scaler = StandardScaler().fit(X[tr_idx])
Xtr = torch.tensor(scaler.transform(X[tr_idx]), dtype=torch.float32)
Xva = torch.tensor(scaler.transform(X[val_idx]), dtype=torch.float32)
ytr = torch.tensor(y[n_val:], dtype=torch.float32)
yva = torch.tensor(y[val_idx], dtype=torch.float32)


def run(lr, hidden, steps=60, bs=64):
    g = torch.Generator().manual_seed(123)
    net = nn.Sequential(nn.Linear(30, hidden), nn.Tanh(), nn.Linear(hidden, 1))
    opt = torch.optim.RMSprop(net.parameters(), lr=lr)
    lossf = nn.BCEWithLogitsLoss()
    for step in range(steps):
        idx = torch.randint(0, len(Xtr), (bs,), generator=g)
        loss = lossf(net(Xtr[idx]).squeeze(1), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        tr_loss = lossf(net(Xtr).squeeze(1), ytr).item()
        va_acc = ((net(Xva).squeeze(1) > 0).float() == yva).float().mean().item()
    return tr_loss, va_acc


results = []
for lr in (3e-4, 1e-3, 3e-3):
    for hidden in (16, 64):
        tr_loss, va_acc = run(lr, hidden)
        results.append((va_acc, tr_loss, lr, hidden))
        print(f"lr={lr:g} hidden={hidden:3d} train_loss={tr_loss:.4f} val_acc={va_acc:.3f}")
best = max(results)
print(f"best: lr={best[2]:g} hidden={best[3]} val_acc={best[0]:.3f} train_loss={best[1]:.4f}")

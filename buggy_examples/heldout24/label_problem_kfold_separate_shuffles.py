"""5-fold cross-validation on sklearn's wine data (dataclass config), a fresh GELU MLP
trained with AdamW per fold.

Seeded bug: the data are shuffled "once up front" with two separate in-place calls,
np.random.shuffle(X) followed by np.random.shuffle(y), after np.random.seed(). The two calls
draw different permutations (the RNG state advances), so every feature row is paired with
the label of some other wine: labels carry no information about the inputs.

Measured (this script vs. a copy using one shared permutation for X and y):
CV mean val accuracy 0.364 vs 0.977 (chance ~0.40), val loss 1.257 vs 0.053, train loss at
the end of each fold 0.858 vs 0.014.
"""
# traindebug-expect: label_problem
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine

torch.set_num_threads(1)


@dataclass
class CVConfig:
    n_folds: int = 5
    epochs: int = 24
    batch_size: int = 48
    lr: float = 3e-3
    weight_decay: float = 1e-4
    hidden: int = 32
    seed: int = 42


cfg = CVConfig()
data = load_wine()
X = data.data.astype(np.float32)
y = data.target.astype(np.int64)

# shuffle once up front so the contiguous folds below are not ordered by cultivar
np.random.seed(cfg.seed)
np.random.shuffle(X)
np.random.shuffle(y)
torch.manual_seed(cfg.seed)

folds = np.array_split(np.arange(len(X)), cfg.n_folds)


def build_model(d_in, n_cls):
    return nn.Sequential(nn.Linear(d_in, cfg.hidden), nn.GELU(),
                         nn.Linear(cfg.hidden, cfg.hidden), nn.GELU(),
                         nn.Linear(cfg.hidden, n_cls))


def run_fold(k):
    va_idx = folds[k]
    tr_idx = np.concatenate([f for j, f in enumerate(folds) if j != k])
    mu, sd = X[tr_idx].mean(0), X[tr_idx].std(0) + 1e-8
    Xtr = torch.from_numpy((X[tr_idx] - mu) / sd)
    Xva = torch.from_numpy((X[va_idx] - mu) / sd)
    ytr, yva = torch.from_numpy(y[tr_idx]), torch.from_numpy(y[va_idx])

    model = build_model(X.shape[1], 3)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps = 0
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), cfg.batch_size):
            b = perm[i:i + cfg.batch_size]
            loss = F.cross_entropy(model(Xtr[b]), ytr[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps += 1
    model.eval()
    with torch.no_grad():
        tr_loss = F.cross_entropy(model(Xtr), ytr).item()
        logits = model(Xva)
        va_loss = F.cross_entropy(logits, yva).item()
        va_acc = (logits.argmax(1) == yva).float().mean().item()
    return tr_loss, va_loss, va_acc, steps


results = []
for k in range(cfg.n_folds):
    tr_loss, va_loss, va_acc, steps = run_fold(k)
    results.append((tr_loss, va_loss, va_acc))
    print(f"fold {k}: train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.3f} ({steps} steps)")
res = np.array(results)
print(f"CV mean: train_loss {res[:, 0].mean():.4f} val_loss {res[:, 1].mean():.4f} "
      f"val_acc {res[:, 2].mean():.3f} +/- {res[:, 2].std():.3f}")

"""Seeded bug: a 5-fold cross-validation loop on the wine table; before
splitting, the script shuffles the features and the labels with two separate
calls to rng.permutation, so every label belongs to a random other row.
Training loss stays near ln 3 and validation accuracy near 1/3; with one
shared permutation the folds reach ~97 % accuracy."""
# traindebug-expect: label_problem
import numpy as np
import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import KFold
from torch import nn

rng = np.random.default_rng(0)
X, y = load_wine(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
X = X[rng.permutation(len(X))]
y = y[rng.permutation(len(y))]  # BUG: a second, different permutation
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)

scores = []
for fold, (tr, va) in enumerate(KFold(n_splits=5).split(X)):
    torch.manual_seed(fold)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(20):
        perm = torch.randperm(len(tr))
        for i in range(0, len(tr), 16):
            b = torch.as_tensor(tr)[perm[i : i + 16]]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(X[b]), y[b])
            loss.backward()
            opt.step()
    with torch.no_grad():
        acc = (model(X[va]).argmax(1) == y[va]).float().mean().item()
    scores.append(acc)
    print(f"fold {fold} loss {loss.item():.3f} val acc {acc:.3f}")
print("mean acc", np.mean(scores))

"""Healthy control: 4-class MLP trained on crowd-sourced labels with 35% random label noise, Adagrad, label smoothing 0.1.

Pattern that may fool a naive detector: the training loss stays high (1.13 ->
0.86, far above zero and not far below ln 4 = 1.386) and accuracy against the
noisy validation labels is only ~0.68, which looks like underfitting or a label
problem. Both are the expected floor for 35% symmetric label noise plus label
smoothing; against the clean labels the model is excellent. Measured (10 epochs,
150 steps): train loss 0.859, val acc vs noisy labels 0.678, val acc vs clean
labels 0.954 (0.972 at epoch 4).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification

torch.manual_seed(0)
torch.set_num_threads(2)
rng = np.random.default_rng(0)

X, y_clean = make_classification(n_samples=2000, n_features=20, n_informative=8, n_redundant=4,
                                 n_classes=4, n_clusters_per_class=1, class_sep=2.0, flip_y=0.0, random_state=0)
# annotations come from crowd workers: 35% of training labels are replaced by a random class
y_noisy = y_clean.copy()
flip = rng.random(len(y_noisy)) < 0.35
y_noisy[flip] = rng.integers(0, 4, flip.sum())

X = (X - X[:1500].mean(0)) / X[:1500].std(0)
Xt = torch.tensor(X, dtype=torch.float32)
yn = torch.tensor(y_noisy)
yc = torch.tensor(y_clean)
n_tr = 1500

net = nn.Sequential(nn.Linear(20, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 4))
opt = torch.optim.Adagrad(net.parameters(), lr=0.05)
for epoch in range(10):
    perm = torch.randperm(n_tr)
    run = 0.0
    for i in range(0, n_tr, 100):
        idx = perm[i:i + 100]
        loss = F.cross_entropy(net(Xt[idx]), yn[idx], label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(idx)
    if epoch % 3 == 0:
        with torch.no_grad():
            pred = net(Xt[n_tr:]).argmax(1)
        print(f"epoch {epoch:2d} train_loss(noisy,smoothed) {run / n_tr:.4f} "
              f"val_acc_noisy {(pred == yn[n_tr:]).float().mean():.3f} val_acc_clean {(pred == yc[n_tr:]).float().mean():.3f}")

"""Seeded bug: the semi-supervised pseudo-labelling loop takes
``WEIGHT_DECAY = 0.2`` from an AdamW (decoupled decay) recipe but uses it with
SGD + momentum, where it is coupled L2: with lr 0.1 / momentum 0.9 the decay
term shrinks the weights by ~20 % per effective step and swamps the data
gradient, so the classifier stays at chance and no pseudo-label ever passes
the confidence threshold.

Measured effect (buggy vs fixed copy, weight_decay=5e-4): final labelled loss
1.391 (= ln 4) vs 0.001, test accuracy 0.220 vs 0.866, pseudo-labels accepted
in the last round 0 vs 2123.
"""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(1)
np.random.seed(1)

CONF_THRESHOLD = 0.9
ROUNDS = 4
STEPS_PER_ROUND = 75
WEIGHT_DECAY = 0.2

X, y = make_classification(n_samples=3000, n_features=20, n_informative=10,
                           n_redundant=4, n_classes=4, n_clusters_per_class=1,
                           class_sep=1.2, random_state=7)
X = StandardScaler().fit_transform(X).astype(np.float32)
X, y = torch.from_numpy(X), torch.from_numpy(y)
X_test, y_test = X[2500:], y[2500:]
labelled = torch.arange(0, 200)
unlabelled = torch.arange(200, 2500)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=WEIGHT_DECAY)

pseudo_x = torch.empty(0, 20)
pseudo_y = torch.empty(0, dtype=torch.long)
for rnd in range(ROUNDS):
    model.train()
    for step in range(STEPS_PER_ROUND):
        b = labelled[torch.randint(0, len(labelled), (32,))]
        loss = F.cross_entropy(model(X[b]), y[b])
        if len(pseudo_x) > 0:
            pb = torch.randint(0, len(pseudo_x), (64,))
            loss = loss + 0.5 * F.cross_entropy(model(pseudo_x[pb]), pseudo_y[pb])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        probs = F.softmax(model(X[unlabelled]), dim=1)
        conf, pred = probs.max(1)
        keep = conf > CONF_THRESHOLD
        pseudo_x, pseudo_y = X[unlabelled][keep], pred[keep]
        sup = F.cross_entropy(model(X[labelled]), y[labelled]).item()
        acc = (model(X_test).argmax(1) == y_test).float().mean().item()
    print(f"round {rnd+1}: labelled_loss {sup:.4f} test_acc {acc:.3f} "
          f"pseudo_labels {int(keep.sum())}")

"""Semi-supervised pseudo-labelling on a 4-class tabular problem (240 labelled, 2160 unlabelled).

Seeded bug (wrong_mode): the inference helper `predict_proba` is wrapped in
@torch.no_grad() but never switches the network to eval mode, so pseudo-labels
(and the test accuracy) are produced with Dropout(0.5) active and BatchNorm using
per-chunk batch statistics (and updating its running stats with unlabelled data).
Noisy, over-confident-by-chance predictions pass the 0.9 threshold, wrong
pseudo-labels get added each round and the model drifts.
Measured: final test accuracy 0.492 (falls every round, 0.615 -> 0.492) with the
bug vs 0.680 (rising, 0.670 -> 0.680) when predict_proba calls model.eval().
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(3)
np.random.seed(3)

X, y = make_classification(n_samples=3000, n_features=24, n_informative=12, n_redundant=4,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=3)
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=600, stratify=y, random_state=3)
X_lab, X_unl, y_lab, _ = train_test_split(X_pool, y_pool, train_size=240, stratify=y_pool, random_state=3)
sc = StandardScaler().fit(X_pool)
X_lab, X_unl, X_test = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (X_lab, X_unl, X_test))
y_lab = torch.tensor(y_lab)
y_test = torch.tensor(y_test)


def make_net():
    return nn.Sequential(
        nn.Linear(24, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 4),
    )


@torch.no_grad()
def predict_proba(model, X, bs=256):
    out = [F.softmax(model(X[i:i + bs]), dim=1) for i in range(0, len(X), bs)]
    return torch.cat(out)


def fit(model, opt, X, y, epochs, bs=64):
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X) - 1, bs):
            idx = perm[i:i + bs]
            if len(idx) < 2:
                continue
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return loss.item()


model = make_net()
opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)

steps0 = fit(model, opt, X_lab, y_lab, epochs=15)
acc = (predict_proba(model, X_test).argmax(1) == y_test).float().mean().item()
print(f"[supervised] last loss {steps0:.3f}  test acc {acc:.3f}")

threshold = 0.9
for rnd in range(4):
    p = predict_proba(model, X_unl)
    conf, pseudo = p.max(1)
    keep = conf >= threshold
    X_aug = torch.cat([X_lab, X_unl[keep]])
    y_aug = torch.cat([y_lab, pseudo[keep]])
    last = fit(model, opt, X_aug, y_aug, epochs=1)
    acc = (predict_proba(model, X_test).argmax(1) == y_test).float().mean().item()
    print(f"[round {rnd}] pseudo-labelled {int(keep.sum())}/{len(X_unl)}  loss {last:.3f}  test acc {acc:.3f}")

print(f"final test accuracy: {acc:.3f}")

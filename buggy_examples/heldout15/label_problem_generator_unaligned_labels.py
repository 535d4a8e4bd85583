"""4-class tabular classifier (make_classification) trained from a generator of
minibatches (`batch_stream`) that reshuffles every epoch; per-step loss logged
to a history dict.

Seeded bug (label_problem): the generator permutes the features with
`X[idx]` but slices the labels from the *unpermuted* array (`ys = y`), so every
batch pairs inputs with labels of unrelated samples.  The labels carry no
information about their inputs; the gradients themselves are perfectly normal.

Measured: training loss stays at 1.387 (ln 4 = 1.386) for all 12 epochs, val
accuracy 0.23-0.26 (chance).  Fixed copy (`ys = y[idx]`): training loss 0.176,
val accuracy 0.877.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification

torch.manual_seed(0)
torch.set_num_threads(1)

X, y = make_classification(n_samples=3000, n_features=30, n_informative=12,
                           n_redundant=6, n_classes=4, n_clusters_per_class=2,
                           class_sep=1.2, random_state=0)
X = X.astype(np.float32)
n_val = 600
X_tr, y_tr, X_va, y_va = X[n_val:], y[n_val:], X[:n_val], y[:n_val]
mean, std = X_tr.mean(0), X_tr.std(0)
X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std


def batch_stream(X, y, batch_size, n_epochs, seed=0):
    """Yield (epoch, xb, yb) minibatches, reshuffling every epoch."""
    rng = np.random.default_rng(seed)
    for epoch in range(n_epochs):
        idx = rng.permutation(len(X))
        Xs, ys = X[idx], y
        for s in range(0, len(X), batch_size):
            yield epoch, torch.from_numpy(Xs[s:s + batch_size]), torch.from_numpy(ys[s:s + batch_size])


model = nn.Sequential(
    nn.Linear(30, 128), nn.GELU(),
    nn.Linear(128, 64), nn.GELU(),
    nn.Linear(64, 4),
)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()

history = {"step": [], "loss": []}
running, seen, last_epoch = 0.0, 0, 0
Xv, yv = torch.from_numpy(X_va), torch.from_numpy(y_va)
for step, (epoch, xb, yb) in enumerate(batch_stream(X_tr, y_tr, batch_size=96, n_epochs=12)):
    if epoch != last_epoch:
        with torch.no_grad():
            val_acc = (model(Xv).argmax(1) == yv).float().mean().item()
        print(f"epoch {last_epoch:2d}  train loss {running / seen:.4f}  val acc {val_acc:.3f}")
        running, seen, last_epoch = 0.0, 0, epoch
    loss = loss_fn(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    running += loss.item()
    seen += 1
    history["step"].append(step)
    history["loss"].append(loss.item())

with torch.no_grad():
    val_acc = (model(Xv).argmax(1) == yv).float().mean().item()
print(f"epoch {last_epoch:2d}  train loss {running / seen:.4f}  val acc {val_acc:.3f}")
print(f"done: {len(history['step'])} optimizer steps")

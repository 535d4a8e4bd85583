"""3-class spiral classification; model and optimizer are built by factory
functions from a hyperparameter dict.

Seeded bug: build_model() reads hp.get("hidden_sizes", []) while the dict
defines the key "hidden", so the hidden layers are silently skipped and the
factory returns a single Linear(2, 3) - a linear classifier on data that is not
linearly separable. Updates are healthy but the loss plateaus.

Measured (324 steps): buggy train loss plateaus at 0.65, train_acc 0.59,
val_acc 0.56; fixed copy (key "hidden") train loss 0.0006, train/val acc 1.00.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HPARAMS = {
    "seed": 0,
    "in_dim": 2,
    "n_classes": 3,
    "hidden": [64, 64],
    "activation": "relu",
    "dropout": 0.0,
    "optimizer": "adam",
    "lr": 1e-2,
    "weight_decay": 0.0,
    "batch_size": 64,
    "epochs": 12,
}

torch.manual_seed(HPARAMS["seed"])
np.random.seed(HPARAMS["seed"])
torch.set_num_threads(1)


def make_spirals(n_per_class, n_classes, noise=0.15, seed=0):
    rng = np.random.default_rng(seed)
    X, y = [], []
    for c in range(n_classes):
        r = np.linspace(0.1, 1.0, n_per_class)
        t = np.linspace(0, 3.5, n_per_class) + c * 2 * np.pi / n_classes + rng.normal(0, noise, n_per_class)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], 1))
        y.append(np.full(n_per_class, c))
    X = np.concatenate(X).astype(np.float32)
    y = np.concatenate(y)
    perm = rng.permutation(len(y))
    return X[perm] / X.std(0), y[perm]


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}


def build_model(hp):
    layers, d = [], hp["in_dim"]
    for width in hp.get("hidden_sizes", []):
        layers += [nn.Linear(d, width), ACTIVATIONS[hp["activation"]]()]
        if hp["dropout"] > 0:
            layers.append(nn.Dropout(hp["dropout"]))
        d = width
    layers.append(nn.Linear(d, hp["n_classes"]))
    return nn.Sequential(*layers)


def build_optimizer(model, hp):
    if hp["optimizer"] == "adam":
        return torch.optim.Adam(model.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"])
    if hp["optimizer"] == "sgd":
        return torch.optim.SGD(model.parameters(), lr=hp["lr"], momentum=0.9,
                               weight_decay=hp["weight_decay"])
    raise ValueError(hp["optimizer"])


X, y = make_spirals(700, HPARAMS["n_classes"])
X, y = torch.tensor(X), torch.tensor(y)
n_tr = int(0.8 * len(y))
X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

model = build_model(HPARAMS)
optimizer = build_optimizer(model, HPARAMS)

bs = HPARAMS["batch_size"]
for epoch in range(HPARAMS["epochs"]):
    model.train()
    perm = torch.randperm(n_tr)
    tot = 0.0
    for i in range(0, n_tr, bs):
        j = perm[i:i + bs]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_tr[j]), y_tr[j])
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(j)
    model.eval()
    with torch.no_grad():
        out = model(X_va)
        acc = (out.argmax(1) == y_va).float().mean().item()
        tr_acc = (model(X_tr).argmax(1) == y_tr).float().mean().item()
    print(f"epoch {epoch+1:2d} train_loss {tot/n_tr:.4f} train_acc {tr_acc:.3f} val_acc {acc:.3f}")

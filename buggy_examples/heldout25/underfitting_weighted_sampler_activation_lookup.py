"""Imbalanced two-moons classifier trained with a WeightedRandomSampler (RMSprop).

Seeded bug (underfitting): the activation is looked up with
ACTIVATIONS.get(CONFIG["activation"], nn.Identity), but the config says "ReLU" while
the dict keys are lower-case, so every hidden "activation" is nn.Identity and the
4-layer MLP collapses to a linear model that cannot fit the moons boundary.
Measured (256 steps): train loss plateaus at ~0.26-0.29, test balanced accuracy 0.899,
minority F1 0.650. Fixed copy ("relu"): train loss 0.009, balanced accuracy 0.998,
minority F1 0.988.
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.metrics import balanced_accuracy_score, f1_score
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

torch.set_num_threads(1)
torch.manual_seed(21)
rng = np.random.default_rng(21)

CONFIG = {
    "hidden": [64, 64, 32],
    "activation": "ReLU",
    "lr": 3e-3,
    "batch_size": 64,
    "num_samples_per_epoch": 2048,
    "epochs": 8,
}

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "silu": nn.SiLU}


def make_imbalanced_moons(n_major, n_minor, noise, seed):
    X, y = make_moons(n_samples=2 * max(n_major, n_minor), noise=noise, random_state=seed)
    maj = np.flatnonzero(y == 0)[:n_major]
    mino = np.flatnonzero(y == 1)[:n_minor]
    idx = np.concatenate([maj, mino])
    return X[idx].astype(np.float32), y[idx].astype(np.int64)


def build_mlp(d_in, hidden, d_out, activation):
    act_cls = ACTIVATIONS.get(activation, nn.Identity)
    layers, d = [], d_in
    for h in hidden:
        layers += [nn.Linear(d, h), act_cls()]
        d = h
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


X, y = make_imbalanced_moons(2400, 300, noise=0.12, seed=21)
perm = rng.permutation(len(y))
cut = int(0.75 * len(y))
tr, te = perm[:cut], perm[cut:]
mu, sd = X[tr].mean(0), X[tr].std(0)
Xtr, Xte = (X[tr] - mu) / sd, (X[te] - mu) / sd
ytr, yte = y[tr], y[te]

class_counts = np.bincount(ytr)
sample_w = (1.0 / class_counts)[ytr]
sampler = WeightedRandomSampler(torch.as_tensor(sample_w, dtype=torch.double),
                                num_samples=CONFIG["num_samples_per_epoch"], replacement=True)
loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                    batch_size=CONFIG["batch_size"], sampler=sampler)

model = build_mlp(2, CONFIG["hidden"], 2, CONFIG["activation"])
opt = torch.optim.RMSprop(model.parameters(), lr=CONFIG["lr"])
crit = nn.CrossEntropyLoss()
print(f"train class counts {class_counts.tolist()}")

step = 0
for epoch in range(CONFIG["epochs"]):
    run = 0.0
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item()
        step += 1
    with torch.no_grad():
        pred = model(torch.from_numpy(Xte)).argmax(1).numpy()
    print(f"epoch {epoch} step {step} train_loss {run / len(loader):.4f} "
          f"test_bal_acc {balanced_accuracy_score(yte, pred):.3f} "
          f"minority_f1 {f1_score(yte, pred):.3f}")

"""Pool-based active learning (uncertainty sampling) on the sklearn digits.

Model: MLP 64-128-10 with ReLU, Adam lr 2e-3, retrained from scratch in every round on
the current labelled set (mini-batches of 32, 40 steps per round, 6 rounds = 240 steps).
Round 0 starts from 40 randomly labelled images; each round queries the 60 pool images
with the highest predictive entropy and asks the "oracle" (here: the stored labels) for
their classes.

Seeded bug: in `query_oracle`, `query` holds positions *within the pool*, and the images
are correctly mapped back with `pool_idx[query]`, but the labels are read with
`y_all[query]`, i.e. with the pool-relative positions used as global indices.  Each
round's newly labelled images therefore get the labels of unrelated digits; only the
initial 40 seeds are labelled correctly.  A classic index-space mix-up in active-learning
bookkeeping.  Correct: `new_labels = y_all[new_idx]`.

Measured (seed 0, 340 labelled at the end): buggy final test accuracy 0.384 (train acc on
the labelled set 0.341, final batch loss 2.00); fixed copy: test accuracy 0.887 (train acc
0.941, final batch loss 0.70).
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_SEED, N_QUERY, N_ROUNDS, STEPS_PER_ROUND = 40, 60, 6, 40

digits = load_digits()
X_all, X_test, y_all, y_test = train_test_split(
    digits.data, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
scaler = StandardScaler().fit(X_all)
X_all = torch.tensor(scaler.transform(X_all), dtype=torch.float32)
X_test = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
y_test = torch.tensor(y_test)


def build_model():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def fit(model, X, y):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(STEPS_PER_ROUND):
        idx = torch.randint(0, len(X), (32,))
        loss = F.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


@torch.no_grad()
def entropy(model, X):
    model.eval()
    p = F.softmax(model(X), dim=1)
    return -(p * p.clamp_min(1e-12).log()).sum(1)


def query_oracle(model, pool_idx):
    scores = entropy(model, X_all[pool_idx]).numpy()
    query = np.argsort(-scores)[:N_QUERY]
    new_idx = pool_idx[query]
    new_labels = y_all[query]
    pool_idx = np.delete(pool_idx, query)
    return new_idx, new_labels, pool_idx


perm = rng.permutation(len(X_all))
labelled_idx, pool_idx = perm[:N_SEED], perm[N_SEED:]
labels = y_all[labelled_idx]

for rnd in range(N_ROUNDS):
    torch.manual_seed(rnd)
    model = build_model()
    Xl = X_all[labelled_idx]
    yl = torch.tensor(labels)
    last_loss = fit(model, Xl, yl)
    model.eval()
    with torch.no_grad():
        train_acc = (model(Xl).argmax(1) == yl).float().mean().item()
        test_acc = (model(X_test).argmax(1) == y_test).float().mean().item()
    print(f"round {rnd}: labelled {len(labelled_idx):4d}  loss {last_loss:.3f}  "
          f"train acc {train_acc:.3f}  test acc {test_acc:.3f}")
    if rnd < N_ROUNDS - 1:
        new_idx, new_labels, pool_idx = query_oracle(model, pool_idx)
        labelled_idx = np.concatenate([labelled_idx, new_idx])
        labels = np.concatenate([labels, new_labels])

print(f"final test accuracy: {test_acc:.3f}")

"""Federated averaging (FedAvg, McMahan et al. 2017) simulated in one process on sklearn digits.

Four clients hold label-skewed shards of the training set (each client sees mostly 2-3
digit classes).  Every round the server broadcasts a small MLP (64-128-64-10,
nn.Sequential), each client runs one local epoch of SGD (lr 0.05, momentum 0.9,
batch 32), and the server averages the client weights in proportion to shard size.
8 rounds x 4 clients x 11 local steps = 352 optimizer steps.

Seeded bug: in `client_update` the `opt.zero_grad()` call sits before the batch loop
instead of inside it, so every local step applies the sum of all gradients computed so
far in that epoch.  Easy to do when refactoring a loop that originally did one
full-batch step per epoch; with momentum the effective step grows every batch and the
local models wander far from the global model before being averaged.

Measured (seed 0): buggy final test accuracy 0.198, test loss 2.30 (7.2 after round 3);
fixed copy (zero_grad inside the loop) test accuracy 0.920, test loss 0.377.
"""
# traindebug-expect: missing_zero_grad
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

N_CLIENTS = 4
ROUNDS = 8
LOCAL_LR = 0.05
BATCH = 32

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-3
X_tr, X_te = (X_tr - mu) / sd, (X_te - mu) / sd

# label-skewed shards: sort by label, cut into 2*N pieces, give each client two pieces
order = np.argsort(y_tr + rng.uniform(0, 0.5, size=len(y_tr)))
pieces = np.array_split(order, 2 * N_CLIENTS)
perm = rng.permutation(2 * N_CLIENTS)
clients = []
for c in range(N_CLIENTS):
    idx = np.concatenate([pieces[perm[2 * c]], pieces[perm[2 * c + 1]]])
    clients.append((torch.from_numpy(X_tr[idx]), torch.from_numpy(y_tr[idx])))

Xte_t, yte_t = torch.from_numpy(X_te), torch.from_numpy(y_te)


def make_model():
    return nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def client_update(global_model, data, epochs=1):
    model = copy.deepcopy(global_model)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=LOCAL_LR, momentum=0.9)
    xs, ys = data
    n = len(ys)
    for _ in range(epochs):
        perm = torch.randperm(n)
        opt.zero_grad()
        for i in range(0, n, BATCH):
            b = perm[i:i + BATCH]
            loss = F.cross_entropy(model(xs[b]), ys[b])
            loss.backward()
            opt.step()
    return model.state_dict(), n


def fed_average(states, sizes):
    total = float(sum(sizes))
    avg = {}
    for k in states[0]:
        avg[k] = sum(s[k] * (n / total) for s, n in zip(states, sizes))
    return avg


@torch.no_grad()
def evaluate(model):
    model.eval()
    logits = model(Xte_t)
    return F.cross_entropy(logits, yte_t).item(), (logits.argmax(1) == yte_t).float().mean().item()


global_model = make_model()
for rnd in range(1, ROUNDS + 1):
    states, sizes = [], []
    for data in clients:
        s, n = client_update(global_model, data)
        states.append(s)
        sizes.append(n)
    global_model.load_state_dict(fed_average(states, sizes))
    if rnd % 2 == 1:
        tl, ta = evaluate(global_model)
        print(f"round {rnd:2d}  test loss {tl:.3f}  test acc {ta:.3f}")

tl, ta = evaluate(global_model)
print(f"final: test loss {tl:.4f}  test accuracy {ta:.4f}")

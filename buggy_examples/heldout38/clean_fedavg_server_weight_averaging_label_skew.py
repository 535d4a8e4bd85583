"""Federated averaging (FedAvg, McMahan et al. 2017) simulated in one process on sklearn digits.

Four clients hold label-skewed shards of the training set (each sees mostly 2-3 digit
classes).  Every round the server broadcasts an MLP (64-128-64-10, nn.Sequential); each
client deep-copies it, builds a fresh SGD optimizer (lr 0.05, momentum 0.9) and runs one
local epoch (batch 32, ~11 steps); the server replaces its weights with the size-weighted
average of the client weights.  8 rounds, 352 optimizer steps in total.

Healthy control: the global model is never touched by an optimizer and its parameters
never hold a gradient; they change only through `load_state_dict` of the averaged
client weights.  Each client's momentum buffer starts from zero every round.

Possible false alarm: a detector that watches the global model could call it
frozen_or_unoptimized / no_gradient_flow (no .grad, no optimizer), and the client losses
jump up at every round boundary because each client's label-skewed local optimum is
pulled back to the average (could look like lr_too_high or unshuffled_data, since each
client's batches contain only a few classes).

Measured (seed 0): final global test accuracy 0.920, test loss 0.377.
"""
# traindebug-expect: clean
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
        for i in range(0, n, BATCH):
            b = perm[i:i + BATCH]
            opt.zero_grad()
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

"""FedAvg over 4 simulated clients on a small (400-image) labelled subset of sklearn digits.

IID client shards, MLP 64-256-256-10 with BatchNorm and Dropout(0.5) (nn.Sequential),
one local epoch of SGD (lr 0.02, momentum 0.9, batch 20) per client per round,
size-weighted parameter averaging (running BN statistics included), 25 rounds
(4 clients x 5 batches x 25 = 500 optimizer steps).  The global model is evaluated on the
held-out images after round 1 and every 5th round.

Seeded bug: `client_update` deep-copies the global model but never calls `model.train()`.
The server's `evaluate()` leaves the global model in eval mode, so from round 2 on every
client trains with dropout switched off and BatchNorm normalising with the (stale,
averaged) running statistics instead of batch statistics, which are then never updated.
Only round 1 trains in train mode.  Forgetting the mode switch is easy because the
copy "looks fresh".

Measured (seed 0): buggy final test accuracy 0.904 (test loss 0.592);
fixed copy (`model.train()` after the deepcopy) test accuracy 0.954 (test loss 0.213).
"""
# traindebug-expect: wrong_mode
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
ROUNDS = 25
LOCAL_LR = 0.02
BATCH = 20

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, train_size=400, random_state=0, stratify=y)

# iid shards: random split into 2*N pieces, each client gets two pieces
order = rng.permutation(len(y_tr))
pieces = np.array_split(order, 2 * N_CLIENTS)
perm = rng.permutation(2 * N_CLIENTS)
clients = []
for c in range(N_CLIENTS):
    idx = np.concatenate([pieces[perm[2 * c]], pieces[perm[2 * c + 1]]])
    clients.append((torch.from_numpy(X_tr[idx]), torch.from_numpy(y_tr[idx])))

Xte_t, yte_t = torch.from_numpy(X_te), torch.from_numpy(y_te)


def make_model():
    return nn.Sequential(
        nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 10),
    )


def client_update(global_model, data, epochs=1):
    model = copy.deepcopy(global_model)
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
    if rnd % 5 == 0 or rnd == 1:
        tl, ta = evaluate(global_model)
        print(f"round {rnd:2d}  test loss {tl:.3f}  test acc {ta:.3f}")

tl, ta = evaluate(global_model)
print(f"final: test loss {tl:.4f}  test accuracy {ta:.4f}")

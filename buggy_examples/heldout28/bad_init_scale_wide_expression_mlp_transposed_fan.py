"""Wide tabular classifier for an "expression panel" (make_classification: 1400 samples x 2000
standardised features, 40 informative): functional MLP 2000-16-16-1 with explicit parameter
tensors stored as (in, out) for h @ W, ReLU, BCE-with-logits, Adagrad lr 0.02, manual
minibatches of 64, 12 epochs (180 steps).

Seeded bug: the weights are allocated as torch.empty(d_in, d_out) and initialised with
nn.init.kaiming_normal_, which computes fan_in from dim 1 assuming the (out, in) layout of
nn.Linear. It therefore uses fan_in = 16 instead of 2000 for the first layer (11x too large) and
fan_in = 1 instead of 16 for the output (4x too large): initial logits have std ~39 instead of
~0.8, BCE is saturated from the start, and the net memorises the training set with huge weights.

Measured: buggy initial logit std 38.7; final train BCE 0.023, test BCE 6.03, test accuracy
0.524. Fixed copy (allocate (d_out, d_in), init, then transpose): initial logit std 0.80; final
test BCE 0.83, test accuracy 0.731.
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)

# wide "expression panel": 2000 probes, a few dozen informative, n << p
X, y = make_classification(n_samples=1400, n_features=2000, n_informative=40, n_redundant=60,
                           n_clusters_per_class=3, class_sep=1.2, flip_y=0.02, random_state=4)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_te = torch.tensor(y_te, dtype=torch.float32)

SIZES = [X_tr.shape[1], 16, 16, 1]


def init_params(sizes):
    params = {}
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = torch.empty(d_in, d_out)
        torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
        params[f"w{i}"] = w.requires_grad_()
        params[f"b{i}"] = torch.zeros(d_out, requires_grad=True)
    return params


def forward(params, x):
    n_layers = len(SIZES) - 1
    h = x
    for i in range(n_layers):
        h = h @ params[f"w{i}"] + params[f"b{i}"]
        if i < n_layers - 1:
            h = F.relu(h)
    return h.squeeze(-1)


params = init_params(SIZES)
opt = torch.optim.Adagrad(params.values(), lr=0.02)

with torch.no_grad():
    print(f"initial logit std {forward(params, X_tr).std().item():.2f}")

BATCH = 64
step = 0
for epoch in range(1, 13):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr) - BATCH + 1, BATCH):
        idx = perm[i:i + BATCH]
        loss = F.binary_cross_entropy_with_logits(forward(params, X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        tr_loss = F.binary_cross_entropy_with_logits(forward(params, X_tr), y_tr).item()
        logits = forward(params, X_te)
        te_loss = F.binary_cross_entropy_with_logits(logits, y_te).item()
        te_acc = ((logits > 0).float() == y_te).float().mean().item()
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d} (step {step})  train bce {tr_loss:.4f}  test bce {te_loss:.4f}  test acc {te_acc:.3f}")

print(f"final test bce {te_loss:.4f}  test accuracy {te_acc:.3f}")

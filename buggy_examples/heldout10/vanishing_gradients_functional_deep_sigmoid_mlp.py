"""Functional-style MLP (explicit weight tensors + torch.nn.functional) on a 4-class make_classification problem, SGD+momentum.

Seeded bug (vanishing_gradients): 11 hidden sigmoid layers of width 64 with Glorot init. Each
sigmoid layer scales the back-propagated signal by at most 1/4, so the first layer's gradient is
~1e-7 while the output layer's is ~0.5; the early layers never learn.

Measured (12 epochs, 300 steps): |dW1| 5.7e-7 vs |dW_out| 6.9e-1 at the first epoch
(ratio ~1e-6); train loss 1.411 -> 1.391 (ln 4 = 1.386), test accuracy 0.250 (chance).
Fixed copy (ReLU + He-uniform init, same depth): |dW1| ~0.1-1, train loss 1.13 -> 0.19,
test accuracy 0.897.
"""
# traindebug-expect: vanishing_gradients
import math

import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
torch.set_num_threads(2)

X, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_redundant=4,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.5, random_state=0)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_te = torch.tensor(y_te)

WIDTHS = [20] + [64] * 10 + [4]


def init_params(widths):
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = math.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform
        W = torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_()
        b = torch.zeros(fan_out, requires_grad=True)
        params += [W, b]
    return params


def forward(params, x):
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        W, b = params[2 * i], params[2 * i + 1]
        h = F.linear(h, W, b)
        if i < n_layers - 1:
            h = torch.sigmoid(h)
    return h


params = init_params(WIDTHS)
opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)

BATCH = 96
steps = 0
for epoch in range(12):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(forward(params, X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    with torch.no_grad():
        tr_loss = F.cross_entropy(forward(params, X_tr), y_tr).item()
        acc = (forward(params, X_te).argmax(1) == y_te).float().mean().item()
    if epoch % 2 == 1 or epoch == 0:
        g_first = params[0].grad.norm().item()
        g_last = params[-2].grad.norm().item()
        print(f"epoch {epoch:2d} step {steps:4d}  train_loss {tr_loss:.4f}  test_acc {acc:.3f}  "
              f"|dW1| {g_first:.2e}  |dW_out| {g_last:.2e}")

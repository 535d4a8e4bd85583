"""Functional-style MLP (explicit weight tensors + torch.nn.functional) on a
5-class make_classification problem, trained with Adam.

Seeded bug (bad_init_scale): init_params draws weights with plain
torch.randn(fan_out, fan_in), i.e. std 1 instead of ~sqrt(2 / fan_in). Each
layer multiplies the activation scale by ~sqrt(fan_in / 2) (4.5x, 11x, 8x),
so the logits at step 0 have std in the thousands and the initial loss is
~4800 instead of ln(5) = 1.61.
Measured (6 epochs, 228 steps): first-batch loss 4804, still 335 (mean) at
the last epoch; val loss 467, val accuracy 0.583.
Fixed (W * sqrt(2 / fan_in)): first-batch loss 2.6, mean train loss 0.14,
val loss 0.41, val accuracy 0.863.
"""
# traindebug-expect: bad_init_scale
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.manual_seed(42)
rng = np.random.default_rng(42)

N_CLASSES = 5
SIZES = [40, 256, 128, 64, N_CLASSES]

X, y = make_classification(n_samples=3000, n_features=SIZES[0], n_informative=20,
                           n_redundant=10, n_classes=N_CLASSES, n_clusters_per_class=2,
                           class_sep=1.5, random_state=42)
X = StandardScaler().fit_transform(X).astype(np.float32)
X, y = torch.from_numpy(X), torch.from_numpy(y)
X_train, y_train, X_val, y_val = X[:2400], y[:2400], X[2400:], y[2400:]


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_out, fan_in, requires_grad=True)
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
            h = F.relu(h)
    return h


params = init_params(SIZES)
opt = torch.optim.Adam(params, lr=1e-3)

batch_size, epochs = 64, 6
print(f"chance-level loss ln({N_CLASSES}) = {math.log(N_CLASSES):.3f}")
for epoch in range(epochs):
    perm = torch.from_numpy(rng.permutation(len(X_train)))
    losses = []
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        logits = forward(params, X_train[idx])
        loss = F.cross_entropy(logits, y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        val_logits = forward(params, X_val)
        val_loss = F.cross_entropy(val_logits, y_val).item()
        val_acc = (val_logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch} first-batch loss {losses[0]:.1f} mean loss {np.mean(losses):.3f} "
          f"val loss {val_loss:.3f} val acc {val_acc:.3f}")

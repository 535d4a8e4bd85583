"""Robust (Huber, delta=1) price regression with a functional-style MLP whose
weights are explicit tensors (F.linear / F.silu / F.dropout), Adam + cosine.

Seeded bug (input_scale): the features are standardised with StandardScaler,
but the regression target is left in raw dollars (mean ~2.3e5, std ~4.6e4).
With delta=1 the Huber loss is in its linear regime for every sample, so each
residual contributes a gradient of +-1 and the network output can only creep
towards the ~2e5 offset; the loss barely moves.

Measured (300 steps): buggy Huber loss 299,599 -> 285,076, test RMSE 289,162
USD, R2 -38.1; fixed (standardise y, un-standardise predictions): Huber
0.59 -> 0.071, test RMSE 14,268 USD, R2 0.905.
"""
# traindebug-expect: input_scale
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)
np.random.seed(3)

# synthetic listing prices: Friedman #1 response mapped to a price in dollars,
# with a few heavy-tailed outliers (hence the Huber loss)
X, f = make_friedman1(n_samples=2000, n_features=10, noise=1.0, random_state=3)
y = 180_000 + 9_000 * f
out = np.random.rand(len(y)) < 0.03
y[out] += np.random.standard_t(2, out.sum()) * 60_000
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=3)
x_scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(x_scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(x_scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32)
y_te_np = y_te


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_out, fan_in) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [W.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x, p_drop=0.1, training=True):
    h = x
    n_layers = len(params) // 2
    for l in range(n_layers):
        W, b = params[2 * l], params[2 * l + 1]
        h = F.linear(h, W, b)
        if l < n_layers - 1:
            h = F.silu(h)
            h = F.dropout(h, p_drop, training=training)
    return h.squeeze(-1)


params = init_params([10, 64, 32, 1])
opt = torch.optim.Adam(params, lr=1e-2)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300)

steps, bs = 300, 64
n = len(X_tr)
g = torch.Generator().manual_seed(0)
for step in range(steps):
    idx = torch.randint(0, n, (bs,), generator=g)
    pred = forward(params, X_tr[idx])
    loss = F.huber_loss(pred, y_tr[idx], delta=1.0)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 75 == 0 or step == steps - 1:
        print(f"step {step:3d}  huber {loss.item():12.3f}")

with torch.no_grad():
    p = forward(params, X_te, training=False).numpy()
mse = float(np.mean((p - y_te_np) ** 2))
r2 = 1 - mse / float(np.var(y_te_np))
print(f"test RMSE {math.sqrt(mse):,.0f} USD  R2 {r2:.3f}")

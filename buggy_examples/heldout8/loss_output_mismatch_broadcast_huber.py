"""
Seeded bug: the network's head returns predictions of shape (N, 1) while the
targets are a flat (N,) vector.  The hand-rolled Huber-style loss computes
``pred - target`` which silently broadcasts to an (N, N) matrix, so every
prediction is regressed towards *every* target in the batch.  The optimum of
that loss is the batch mean, and the model collapses to predicting ~mean.

Measured (seed 0, 280 RMSprop steps, diabetes data, standardised target):
with the bug the training loss sits at ~0.45 from epoch 10 on and the test
MSE (computed with correctly shaped tensors) ends at 0.791, R^2 = 0.003;
with ``pred.squeeze(-1)`` the same run reaches train loss 0.180, test MSE
0.506-0.555 and R^2 = 0.36 (epoch 10) / 0.30 (epoch 40).
"""
# traindebug-expect: loss_output_mismatch
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

HIDDEN = (64, 32)
LR = 1e-3
EPOCHS = 40
BATCH = 50
HUBER_DELTA = 1.0


def init_params(sizes):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        params[f"w{i}"] = torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_()
        params[f"b{i}"] = torch.zeros(fan_out, requires_grad=True)
    return params


def forward(params, x, n_layers):
    h = x
    for i in range(n_layers):
        h = F.linear(h, params[f"w{i}"], params[f"b{i}"])
        if i < n_layers - 1:
            h = F.silu(h)
    return h


def huber(pred, target, delta=HUBER_DELTA):
    err = pred - target
    abs_err = err.abs()
    quad = torch.clamp(abs_err, max=delta)
    return (0.5 * quad ** 2 + delta * (abs_err - quad)).mean()


def batches(n, bs, rng):
    idx = rng.permutation(n)
    for s in range(0, n, bs):
        yield idx[s:s + bs]


def main():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    X_tr, X_te = to_t((X_tr - mu) / sd), to_t((X_te - mu) / sd)
    y_tr, y_te = to_t((y_tr - y_mu) / y_sd), to_t((y_te - y_mu) / y_sd)

    sizes = (X_tr.shape[1],) + HIDDEN + (1,)
    n_layers = len(sizes) - 1
    params = init_params(sizes)
    opt = torch.optim.RMSprop(params.values(), lr=LR, alpha=0.9)

    rng = np.random.default_rng(0)
    steps = 0
    for epoch in range(EPOCHS):
        ep_loss, nb = 0.0, 0
        for idx in batches(len(X_tr), BATCH, rng):
            pred = forward(params, X_tr[idx], n_layers)
            loss = huber(pred, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            ep_loss += loss.item()
            nb += 1
            steps += 1
        if (epoch + 1) % 10 == 0:
            with torch.no_grad():
                p = forward(params, X_te, n_layers).reshape(-1)
                mse = F.mse_loss(p, y_te).item()
                r2 = 1.0 - mse / y_te.var(unbiased=False).item()
            print(f"epoch {epoch + 1:3d}  train_huber {ep_loss / nb:.4f}  test_mse {mse:.4f}  r2 {r2:.3f}")
    print(f"finished {steps} steps")


if __name__ == "__main__":
    main()

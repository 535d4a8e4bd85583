"""Diabetes regression with a functional-style MLP (explicit parameter tensors, F.linear, Adam).

Seeded bug (loss_output_mismatch): the model returns predictions of shape (B, 1) while the
targets have shape (B,). F.mse_loss(pred, target) silently broadcasts to a (B, B) matrix,
so every prediction is regressed onto every target in the batch and the optimum is the
batch mean (PyTorch only emits a UserWarning).

Measured (30 epochs, 360 steps): broadcast loss stays ~1.00 (standardised units),
test R^2 0.070, test RMSE 84.1.
Fixed copy (F.mse_loss(pred.squeeze(1), target)): train MSE 0.49, test R^2 0.552
(0.59 mid-training), test RMSE 58.4.
"""
# traindebug-expect: loss_output_mismatch
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(11)

data = load_diabetes()
X, y = data.data.astype(np.float32), data.target.astype(np.float32)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=11)

mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr = torch.from_numpy((X_tr - mu) / sd)
X_te = torch.from_numpy((X_te - mu) / sd)
t_tr = torch.from_numpy((y_tr - y_mu) / y_sd)
t_te = torch.from_numpy((y_te - y_mu) / y_sd)


def init_linear(fan_in, fan_out):
    bound = 1.0 / math.sqrt(fan_in)
    w = torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_()
    b = torch.zeros(fan_out, requires_grad=True)
    return w, b


params = {}
params["w1"], params["b1"] = init_linear(10, 64)
params["w2"], params["b2"] = init_linear(64, 32)
params["w3"], params["b3"] = init_linear(32, 1)


def forward(p, x):
    h = F.silu(F.linear(x, p["w1"], p["b1"]))
    h = F.silu(F.linear(h, p["w2"], p["b2"]))
    return F.linear(h, p["w3"], p["b3"])


opt = torch.optim.Adam(params.values(), lr=3e-3)
batch = 32
steps_per_epoch = math.ceil(len(X_tr) / batch)
for epoch in range(30):
    order = torch.randperm(len(X_tr))
    ep_loss = 0.0
    for k in range(steps_per_epoch):
        idx = order[k * batch:(k + 1) * batch]
        pred = forward(params, X_tr[idx])
        loss = F.mse_loss(pred, t_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        ep_loss += loss.item() * len(idx)
    if (epoch + 1) % 5 == 0:
        with torch.no_grad():
            pred_te = forward(params, X_te).squeeze(1) * y_sd + y_mu
            rmse = torch.sqrt(((pred_te - torch.from_numpy(y_te)) ** 2).mean()).item()
            r2 = 1 - ((pred_te - torch.from_numpy(y_te)) ** 2).sum().item() / ((torch.from_numpy(y_te) - y_te.mean()) ** 2).sum().item()
        print(f"epoch {epoch + 1:3d}  train_mse(std units) {ep_loss / len(X_tr):.4f}  test_rmse {rmse:.2f}  test_r2 {r2:.3f}")

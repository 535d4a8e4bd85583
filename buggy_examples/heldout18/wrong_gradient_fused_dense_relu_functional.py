"""Functional-style MLP (explicit parameter tensors, no nn.Module) on sklearn's
digits, with every 64 -> 64 layer implemented by a hand-written fused
dense+bias+ReLU autograd Function to save memory; batches come from a generator.

Seeded bug (wrong_gradient): in ``FusedDenseReLU.backward`` the weight gradient is
written ``g.t() @ x`` (the nn.Linear (out, in) convention) although the weight is
stored (in, out) and used as ``x @ w``; the correct gradient is ``x.t() @ g``.
Because those layers are square (64 pixel features, 64 hidden units) the shapes
still match and autograd accepts the transposed gradient silently.

Measured (285 SGD steps): buggy -> train loss 1.92 (epoch 0) then rising to
6.8, test loss 7.01, test accuracy 0.60 after epoch 0 falling to 0.19.
Fixed (``grad_w = x.t() @ g``) -> train loss 1.32 -> 0.008, test loss 0.119,
test accuracy 0.963.
"""
# traindebug-expect: wrong_gradient
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)


class FusedDenseReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        out = torch.addmm(b, x, w).clamp_(min=0)
        ctx.save_for_backward(x, w, out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, w, out = ctx.saved_tensors
        g = grad_out * (out > 0).to(grad_out.dtype)
        grad_x = g @ w.t()
        grad_w = g.t() @ x
        grad_b = g.sum(0)
        return grad_x, grad_w, grad_b


fused_dense_relu = FusedDenseReLU.apply


def init_params(n_in, hidden, n_out, n_hidden_layers, gen):
    def he(fan_in, fan_out):
        return (torch.randn(fan_in, fan_out, generator=gen) * math.sqrt(2.0 / fan_in)).requires_grad_()

    params = {"w_in": he(n_in, hidden), "b_in": torch.zeros(hidden, requires_grad=True)}
    for i in range(n_hidden_layers):
        params[f"w_h{i}"] = he(hidden, hidden)
        params[f"b_h{i}"] = torch.zeros(hidden, requires_grad=True)
    params["w_out"] = (torch.randn(hidden, n_out, generator=gen) * math.sqrt(1.0 / hidden)).requires_grad_()
    params["b_out"] = torch.zeros(n_out, requires_grad=True)
    return params


def forward(params, x, n_hidden_layers):
    h = fused_dense_relu(x, params["w_in"], params["b_in"])
    for i in range(n_hidden_layers):
        h = fused_dense_relu(h, params[f"w_h{i}"], params[f"b_h{i}"])
    return h @ params["w_out"] + params["b_out"]


def batches(x, y, batch_size, epochs, seed):
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x) - batch_size + 1, batch_size):
            idx = perm[i:i + batch_size]
            yield epoch, x[idx], y[idx]


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.5) / 0.35
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=1, stratify=y)
    X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_te, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    n_hidden_layers = 3
    params = init_params(64, 64, 10, n_hidden_layers, torch.Generator().manual_seed(5))
    opt = torch.optim.SGD(params.values(), lr=0.05, momentum=0.9)

    last_epoch, running, count = 0, 0.0, 0
    for epoch, xb, yb in batches(X_tr, y_tr, batch_size=64, epochs=15, seed=5):
        if epoch != last_epoch:
            if last_epoch % 3 == 0:
                with torch.no_grad():
                    logits = forward(params, X_te, n_hidden_layers)
                    acc = (logits.argmax(1) == y_te).float().mean().item()
                    vl = F.cross_entropy(logits, y_te).item()
                print(f"epoch {last_epoch:2d}  train_loss {running / count:.4f}  test_loss {vl:.4f}  test_acc {acc:.3f}")
            last_epoch, running, count = epoch, 0.0, 0
        loss = F.cross_entropy(forward(params, xb, n_hidden_layers), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
        count += 1

    with torch.no_grad():
        logits = forward(params, X_te, n_hidden_layers)
        acc = (logits.argmax(1) == y_te).float().mean().item()
        vl = F.cross_entropy(logits, y_te).item()
    print(f"final  train_loss {running / count:.4f}  test_loss {vl:.4f}  test_acc {acc:.3f}")


if __name__ == "__main__":
    main()

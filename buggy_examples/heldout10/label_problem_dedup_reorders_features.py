"""Digits classifier written functionally (explicit weight tensors, F.leaky_relu,
torch.autograd.grad and a hand-written momentum-SGD update, no optimizer
object).

Seeded bug: duplicate removal uses np.unique(X, axis=0, return_index=True).
np.unique returns the unique rows sorted lexicographically, but the labels are
taken as y[np.sort(first)], i.e. in original file order.  Features and labels
are therefore misaligned (there are in fact no duplicates, so the sizes still
match and nothing errors); labels carry no information about the images.

Measured (10 epochs, 300 updates): buggy train loss 2.38 -> 2.19 (ln 10 =
2.30), train acc 0.24 (memorising noise), test acc 0.072 (chance 0.10); with
y_u = y[first]: train loss 0.039, test acc 0.969.
"""
# traindebug-expect: label_problem
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

rng = np.random.default_rng(11)
torch.manual_seed(11)
torch.set_num_threads(1)


def load_dataset():
    X, y = load_digits(return_X_y=True)
    # guard against exact duplicate images (keep one copy of each) so the
    # held-out split cannot contain images that were also seen in training
    X_u, first = np.unique(X, axis=0, return_index=True)
    y_u = y[np.sort(first)]
    print(f"removed {len(X) - len(X_u)} duplicate images, {len(X_u)} left")
    return X_u.astype(np.float32) / 16.0, y_u


def init_params(sizes):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(fan_in, fan_out) * math.sqrt(2.0 / fan_in)
        b = torch.zeros(fan_out)
        params += [W.requires_grad_(), b.requires_grad_()]
    return params


def forward(params, x):
    *hidden, W_out, b_out = params
    h = x
    for W, b in zip(hidden[0::2], hidden[1::2]):
        h = F.leaky_relu(h @ W + b, 0.05)
    return h @ W_out + b_out


def main():
    X, y = load_dataset()
    order = rng.permutation(len(X))
    n_tr = int(0.8 * len(X))
    tr, te = order[:n_tr], order[n_tr:]
    Xtr, ytr = torch.tensor(X[tr]), torch.tensor(y[tr])
    Xte, yte = torch.tensor(X[te]), torch.tensor(y[te])

    params = init_params([64, 96, 48, 10])
    velocity = [torch.zeros_like(p) for p in params]
    lr, mom, batch, epochs = 0.05, 0.9, 48, 10

    step = 0
    for epoch in range(epochs):
        perm = torch.randperm(len(Xtr))
        losses = []
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(forward(params, Xtr[idx]), ytr[idx])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g, v in zip(params, grads, velocity):
                    v.mul_(mom).add_(g)
                    p.sub_(lr * v)
            losses.append(loss.item())
            step += 1
        with torch.no_grad():
            tr_acc = (forward(params, Xtr).argmax(1) == ytr).float().mean().item()
            te_acc = (forward(params, Xte).argmax(1) == yte).float().mean().item()
        if epoch % 2 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch}  loss {np.mean(losses):.4f}  train acc {tr_acc:.3f}  test acc {te_acc:.3f}")
    print(f"{step} updates, final test acc {te_acc:.3f}")


if __name__ == "__main__":
    main()

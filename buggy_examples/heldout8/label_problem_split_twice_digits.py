"""Digits classifier written functionally (explicit parameter tensors, F.relu,
Adagrad).

Seeded bug (label_problem): the train/test split is done with two separate
train_test_split calls, one for X and one for y, using different random_state
values (0 and 42). The targets are then no longer aligned with their images, so
the labels carry no information about the inputs.

Measured (12 epochs, 264 steps): train loss only falls from 2.42 to 1.50, and
only because the network memorises random pairs (train acc 0.53); test acc stays
at chance level, 0.06-0.10. With the same random_state for both calls: train loss
0.0022, test acc 0.973.
"""
# traindebug-expect: label_problem
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(7)
np.random.seed(7)

HIDDEN = 96
LR = 0.05
EPOCHS = 12
BATCH = 64


def init_params(n_in, n_hidden, n_out):
    def kaiming(fan_in, fan_out):
        return (torch.randn(fan_in, fan_out) * math.sqrt(2.0 / fan_in)).requires_grad_()

    return {
        "w1": kaiming(n_in, n_hidden),
        "b1": torch.zeros(n_hidden, requires_grad=True),
        "w2": kaiming(n_hidden, n_hidden),
        "b2": torch.zeros(n_hidden, requires_grad=True),
        "w3": (torch.randn(n_hidden, n_out) * 0.01).requires_grad_(),
        "b3": torch.zeros(n_out, requires_grad=True),
    }


def forward(p, x):
    h = F.relu(x @ p["w1"] + p["b1"])
    h = F.relu(h @ p["w2"] + p["b2"])
    return h @ p["w3"] + p["b3"]


def load():
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / 16.0
    # hold out 25% of the images and the corresponding targets
    X_tr, X_te = train_test_split(X, test_size=0.25, random_state=0)
    y_tr, y_te = train_test_split(y, test_size=0.25, random_state=42)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_te = (X_tr - mu) / sd, (X_te - mu) / sd
    return (torch.from_numpy(X_tr), torch.from_numpy(y_tr).long(),
            torch.from_numpy(X_te), torch.from_numpy(y_te).long())


def accuracy(p, X, y):
    with torch.no_grad():
        return (forward(p, X).argmax(1) == y).float().mean().item()


def main():
    X_tr, y_tr, X_te, y_te = load()
    params = init_params(X_tr.shape[1], HIDDEN, 10)
    opt = torch.optim.Adagrad(params.values(), lr=LR)
    n = X_tr.shape[0]
    step = 0
    for epoch in range(EPOCHS):
        perm = torch.randperm(n)
        running = 0.0
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            logits = forward(params, X_tr[idx])
            loss = F.cross_entropy(logits, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
            step += 1
        print(f"epoch {epoch:2d} step {step:4d} train_loss {running / n:.4f} "
              f"train_acc {accuracy(params, X_tr, y_tr):.3f} test_acc {accuracy(params, X_te, y_te):.3f}")


if __name__ == "__main__":
    main()

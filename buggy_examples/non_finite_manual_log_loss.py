"""Seeded bug: a hand-written binary cross-entropy takes log(sigmoid(z)) with no
clamp; once the logits grow, sigmoid rounds to exactly 0 or 1 and the loss
becomes inf, then NaN gradients poison the weights."""
# traindebug-expect: non_finite
import argparse

import torch
from sklearn.datasets import make_classification


def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()  # BUG: log(0) = -inf


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    torch.manual_seed(0)
    X, y = make_classification(n_samples=600, n_features=20, n_informative=10, class_sep=3.0, random_state=0)
    X = torch.tensor(X, dtype=torch.float32) * 4.0
    y = torch.tensor(y, dtype=torch.float32)
    w = torch.zeros(20, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=args.lr)
    for step in range(args.steps):
        p = torch.sigmoid(X @ w + b)
        loss = bce(p, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0:
            print(step, loss.item())


if __name__ == "__main__":
    main()

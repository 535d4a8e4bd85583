"""Digits classifier built from a hand-fused Linear+ReLU torch.autograd.Function
(three 64x64 blocks + nn.Linear head), SGD + momentum, cosine schedule.

Seeded bug (wrong_gradient): LinearReLUFn.backward computes the weight
gradient as x.t() @ g, which has shape (in, out). The correct gradient for a
weight stored as (out, in) is g.t() @ x. Because the blocks are square
(64x64) the shapes match and autograd accepts the transposed gradient
silently; the weight updates are not a descent direction.
Measured (10 epochs, 290 steps): train loss 2.28 -> 1.72 with rises in
between (1.96 -> 2.36 in epochs 4-8), test accuracy 0.23-0.46, final 0.396.
Fixed (grad_w = g.t().mm(x)): train loss 2.18 -> 0.010, test accuracy 0.969.
"""
# traindebug-expect: wrong_gradient
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class LinearReLUFn(torch.autograd.Function):
    """y = relu(x @ W^T + b), fused so only x and the output mask are kept."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        out = torch.addmm(bias, x, weight.t()).clamp_min_(0)
        ctx.save_for_backward(x, weight, out > 0)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, mask = ctx.saved_tensors
        g = grad_out * mask
        grad_x = g.mm(weight)
        grad_w = x.t().mm(g)
        grad_b = g.sum(0)
        return grad_x, grad_w, grad_b


class FusedLinearReLU(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d_out, d_in))
        self.bias = nn.Parameter(torch.empty(d_out))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(d_in)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return LinearReLUFn.apply(x, self.weight, self.bias)


class DigitsModel(nn.Module):
    def __init__(self, width=64):
        super().__init__()
        self.blocks = nn.Sequential(*[FusedLinearReLU(width, width) for _ in range(3)])
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        return self.head(self.blocks(x))


def main():
    torch.manual_seed(9)
    X, y = load_digits(return_X_y=True)
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=9)
    X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(X_te, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    model = DigitsModel()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)

    for epoch in range(10):
        model.train()
        perm = torch.randperm(len(X_tr))
        losses = []
        for i in range(0, len(perm), 48):
            idx = perm[i:i + 48]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch + 1:2d} train_loss {np.mean(losses):.4f} test_loss {te_loss:.4f} acc {acc:.3f}")


if __name__ == "__main__":
    main()

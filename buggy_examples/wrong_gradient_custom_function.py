"""Digits classifier with a hand-written SiLU whose backward has a sign error.

Seeded bug: ``SiLUFunction.backward`` returns ``sigmoid(x) * (1 - x * (1 - sigmoid(x)))``
instead of the derivative of ``x * sigmoid(x)``, which is
``sigmoid(x) * (1 + x * (1 - sigmoid(x)))``: one sign flipped. The forward is right, the loss
still goes down for a while, but every parameter below the activation receives a wrong
gradient. Expected finding: ``wrong_gradient`` located at module ``act``.
"""
# traindebug-expect: wrong_gradient

import torch
from sklearn.datasets import load_digits
from torch import nn


class SiLUFunction(torch.autograd.Function):
    """x * sigmoid(x), with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_output * s * (1 - x * (1 - s))  # BUG: should be (1 + x * (1 - s))


class SiLU(nn.Module):
    def forward(self, x):
        return SiLUFunction.apply(x)


def main():
    torch.manual_seed(0)
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)
    x = (x - x.mean(0)) / (x.std(0) + 1e-6)
    y = torch.tensor(digits.target)
    model = nn.Sequential()
    model.add_module("fc1", nn.Linear(64, 128))
    model.add_module("act", SiLU())
    model.add_module("fc2", nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(3):
        order = torch.randperm(len(x))
        total = 0.0
        for start in range(0, len(x), 64):
            idx = order[start : start + 64]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch}: loss {total / len(x):.4f}")


if __name__ == "__main__":
    main()

"""Seeded bug: a purely linear regression model (no hidden layer) fitted to a
target that oscillates several times over the input range; a straight line
explains almost none of the variance, and the MSE plateaus near the target's
variance however long it trains."""
# traindebug-expect: underfitting
import math

import torch


class Trainer:
    def __init__(self, lr: float = 0.05) -> None:
        self.model = torch.nn.Linear(1, 1)  # BUG: needs a non-linear model
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr, momentum=0.9)

    def step(self, x: torch.Tensor, y: torch.Tensor) -> float:
        self.opt.zero_grad()
        loss = torch.nn.functional.mse_loss(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss.item()


torch.manual_seed(0)
x = torch.rand(3000, 1) * 2 - 1
y = torch.sin(4 * math.pi * x) + 0.3 * x + 0.05 * torch.randn_like(x)
trainer = Trainer()
for epoch in range(7):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 64):
        b = perm[i : i + 64]
        last = trainer.step(x[b], y[b])
    print(epoch, round(last, 4))

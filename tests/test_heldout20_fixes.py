"""Fixes found by the twentieth held-out set and the twelfth session's sets."""

from __future__ import annotations

PER_EPOCH_RESET = """
import torch
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(256, 10), torch.randint(0, 3, (256,))
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(4):
    opt.zero_grad()                       # once per epoch, not per iteration
    for i in range(0, 256, 48):
        nn.functional.cross_entropy(model(x[i:i + 48]), y[i:i + 48]).backward()
        opt.step()
"""


def test_a_reset_once_per_epoch_is_missing_zero_grad(check) -> None:
    """Six iterations an epoch: five of every six steps start from the gradients of the step before."""
    assert check(PER_EPOCH_RESET).categories()[0] == "missing_zero_grad"
    reset_each_step = PER_EPOCH_RESET.replace("        nn.functional", "        opt.zero_grad()\n        nn.functional")
    assert "missing_zero_grad" not in check(reset_each_step, name="fixed.py").categories()

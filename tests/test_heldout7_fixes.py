"""Fixes found by the seventh held-out set, both false alarms on healthy scripts: early
stopping that ends a run a few evaluations after the validation minimum, and a deliberately
small output layer (or zero-initialised residual branches) read as activations vanishing
through depth."""

from __future__ import annotations

import pytest

from traindebug.rules.initialization import activation_scale
from traindebug.rules.overfitting import overfitting

from test_dynamics_rules import make_run, training


def _evaluated(n_evals: int, best: int, status: str):
    """A run with one evaluation every 10 steps: falling to a minimum at evaluation ``best``,
    then rising 40 %; the training loss keeps falling. Ended with ``status``."""
    steps = training(10 * n_evals, lambda i: 1.0 / (1 + i))
    for k in range(n_evals):
        steps[10 * k + 9]["eval_loss"] = 1.0 - 0.05 * k if k <= best else (1.0 - 0.05 * best) * 1.4
    return make_run(steps, extra=[{"kind": "end", "step": len(steps), "status": status}])


@pytest.mark.parametrize(("n_evals", "best", "status", "severity"), [
    (16, 10, "completed", "info"),      # stopped by the script 5 evaluations after the minimum
    (16, 10, "max_steps", "warning"),   # cut by --max-steps: nothing says the script would stop
    (40, 2, "completed", "warning"),    # went on for 37 evaluations past the minimum
])
def test_early_stopping_is_not_reported_as_a_warning(n_evals: int, best: int, status: str, severity: str) -> None:
    found = overfitting.fn(_evaluated(n_evals, best, status))
    assert [f.severity for f in found] == [severity]


def _activations(stds: list[float]):
    modules = [{"module": f"fc{i}", "kind": "Linear", "std": s} for i, s in enumerate(stds)]
    return make_run(training(3, 1.0), extra=[{"kind": "activations", "step": 0, "modules": modules}])


def test_a_small_output_layer_or_zero_branches_are_not_vanishing_activations() -> None:
    # a siamese embedding's small last projection; zero-initialised residual branch outputs
    assert activation_scale.fn(_activations([0.38, 0.16, 0.096, 0.0008])) == []
    assert activation_scale.fn(_activations([0.59, 0.40, 0.0, 0.41, 0.0, 0.41, 0.0, 0.44])) == []
    # the hidden layers themselves fading: still reported
    found = activation_scale.fn(_activations([1.0, 0.05, 0.002, 0.0001, 0.5]))
    assert [f.where for f in found] == ["fc3"]


FUNCTION_LOSS = """
import torch
from torch import nn

class LogCosh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, pred, target):
        ctx.save_for_backward(pred - target)
        return torch.log(torch.cosh(pred - target)).mean()

    @staticmethod
    def backward(ctx, grad):
        (r,) = ctx.saved_tensors
        return {sign} * grad * torch.tanh(r) / r.numel(), None

torch.manual_seed(0)
x = torch.randn(256, 8)
y = x.sum(1, keepdim=True)
model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    loss = LogCosh.apply(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("sign", [1, -1])
def test_a_custom_autograd_function_in_a_hand_written_loss_is_checked(check, sign: int) -> None:
    # the model is checked by the gradient check; a Function after it only by its own check
    result = check(FUNCTION_LOSS.format(sign=sign))
    found = [f for f in result.findings if f["rule"] == "gradcheck.wrong_function"]
    assert [f["where"] for f in found] == ([] if sign == 1 else ["LogCosh"])
    if sign == -1:
        assert result.findings[0]["category"] == "wrong_gradient"

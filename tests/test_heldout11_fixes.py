"""Fixes found by the eleventh held-out set: a model rebuilt from a checkpoint (the old one left
in eval mode), an L2 penalty in the loss of a k-fold loop, and a warm-up that never ends while
the loss creeps down."""

from __future__ import annotations

import math

import pytest

from traindebug.rules.lr_too_low import schedule_below_configured
from traindebug.rules.over_regularization import added_terms, l2_coefficient, loss_penalty

from test_dynamics_rules import make_run, training
from test_generalisation_fixes import lr_run

REBUILT = """
import copy
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(512, 10)
y = (x[:, :3].sum(1) > 0).long()

def make():
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))

model = make()
ema = copy.deepcopy(model).eval()          # an evaluation copy, never trained
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(60):
    if step == 30:                         # resume from a checkpoint into a fresh model
        model.eval()
        with torch.no_grad():
            nn.functional.cross_entropy(model(x), y)
        state = copy.deepcopy(model.state_dict())
        model = make()
        model.load_state_dict(state)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    i = torch.randint(0, 512, (64,))
    loss = nn.functional.cross_entropy(model(x[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_model_left_in_eval_mode_after_it_was_replaced_is_not_wrong_mode(check) -> None:
    result = check(REBUILT)
    assert [f["category"] for f in result.serious()] == []
    # the same script without model.train() in the loop: the fresh model trains in train mode
    # (its default), but one that was put in eval mode and trained on is still found
    stuck = REBUILT.replace("    model.train()\n", "    model.eval() if step >= 30 else model.train()\n")
    assert "wrong_mode" in [f["category"] for f in check(stuck, name="stuck.py").serious()]


def _penalised(coefficient: float, grad: float) -> list[dict]:
    """Steps whose loss is data + coefficient * sum of squared weight matrices (biases left out),
    the matrices shrinking from norm 1 while the biases keep theirs."""
    steps = training(60, lambda i: 1.0 - 0.004 * i, grad=grad)
    for i, s in enumerate(steps):
        weight = 1.0 - 0.01 * i
        s["loss_fn_value"], s["loss_fn_calls"], s["backward_passes"] = s["loss"], 1, 1
        s["loss"] = s["loss"] + coefficient * 2 * weight**2
        s["param_norms"] = [weight, 0.3, weight, 0.3]
    return steps


def test_an_l2_penalty_on_the_weights_is_judged_by_its_pull() -> None:
    # penalty c * (|W1|^2 + |W2|^2) with c = 0.1: its gradient 0.2 x |W| against a gradient of 0.2
    run = make_run(_penalised(0.1, grad=0.2))
    assert l2_coefficient(run, *_added(run)) == pytest.approx(0.1)
    assert [f.rule for f in loss_penalty.fn(run)] == ["regularization.loss_penalty"]
    # the usual coefficient: 2e-4 x |W| against the same gradient, a small share of the loss
    assert loss_penalty.fn(make_run(_penalised(1e-4, grad=0.2))) == []


def _added(run) -> tuple[list[int], list[float]]:
    steps, _, added, _ = added_terms(run)
    return steps, added


def test_a_warmup_that_never_ends_is_lr_too_low_while_the_loss_creeps_down() -> None:
    n = 300
    warmup = [1e-3 * min(1.0, (i + 1) / 4000) for i in range(n)]
    creeping = [1.37 - 0.0007 * i for i in range(n)]  # 15 % lower at the end: not improving
    assert [f.category for f in schedule_below_configured.fn(lr_run(warmup, creeping, 1e-3))] == ["lr_too_low"]
    healthy = [1.37 * math.exp(-i / 60) for i in range(n)]
    assert schedule_below_configured.fn(lr_run(warmup, healthy, 1e-3)) == []


def test_probabilities_fed_to_kl_div_are_a_loss_output_mismatch() -> None:
    from traindebug.rules.loss_output_mismatch import normalised_twice

    def kl_input(low: float, high: float, row_sum_dev: float) -> dict:
        return {"kind": "loss_input", "step": 0, "name": "kl_div", "input_shape": [8, 10], "input_min": low,
                "input_max": high, "row_sum_dev": row_sum_dev, "row_logsumexp_dev": 2.3}

    softmax = make_run(training(20, 1.0), [kl_input(0.09, 0.11, 2e-7)])
    assert [f.rule for f in normalised_twice.fn(softmax)] == ["loss_output.probabilities_to_kl_div"]
    log_softmax = make_run(training(20, 1.0), [kl_input(-2.4, -2.2, 0.9)])
    assert normalised_twice.fn(log_softmax) == []

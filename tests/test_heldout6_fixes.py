"""Fixes found by the sixth held-out set: dead units of a model that returns several tensors
to a loss written by hand, gradient clipping called after optimizer.step(), an L2 penalty
added to the loss by hand, a loss that jumps in the first steps under a too-high rate, labels
shuffled apart from their inputs under large steps, a graph cut next to a layer with dead
units, and a NaN that comes from the loss rather than from growing gradients."""

from __future__ import annotations

import json
import math

import pytest

from traindebug.engine import rank
from traindebug.findings import Finding
from traindebug.rules.gradient_scale import exploding
from traindebug.rules.learning_rate import diverging

from test_dynamics_rules import make_run, training

AUTOENCODER = """
import torch
from torch import nn
torch.manual_seed(0)
x = torch.randn(512, 32)
class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc, self.dec = nn.Linear(32, 64), nn.Linear(64, 32)
        nn.init.constant_(self.enc.bias, {bias})
    def forward(self, x):
        code = torch.relu(self.enc(x))
        return self.dec(code), code
model = AE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(30):
    xb = x[torch.randint(0, 512, (64,))]
    recon, code = model(xb)
    loss = ((recon - xb) ** 2).mean() + 1e-3 * code.abs().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("bias", [-3.0, 0.0])
def test_dead_units_behind_a_hand_written_loss_on_a_tuple_output(check, bias: float) -> None:
    # no torch loss function and a model output that is a tuple: the graph is walked from the loss itself
    result = check(AUTOENCODER.format(bias=bias))
    records = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    health = [r for r in records if r["kind"] == "unit_health"]
    assert health and health[0]["layers"][0]["name"] == "enc -> relu"
    assert ("dead_units" in result.categories()) == (bias < 0)


CLIPPED = """
import torch
from torch import nn
torch.manual_seed(0)
x, y = torch.randn(256, 20), torch.randn(256, 1)
model = nn.Sequential(nn.Linear(20, 64), nn.Tanh(), nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=1e-2)
for step in range(40):
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    {before}
    opt.step()
    {after}
"""
CLIP = "torch.nn.utils.clip_grad_norm_(model.parameters(), 1e-3)"


@pytest.mark.parametrize("after", [True, False])
def test_clipping_after_the_step_is_reported_and_is_not_over_regularization(check, after: bool) -> None:
    result = check(CLIPPED.format(before="" if after else CLIP, after=CLIP if after else ""))
    rules = [f["rule"] for f in result.serious()]
    assert ("gradients.clip_after_update" in rules) == after
    # the threshold is far below the gradient norm: over-regularization only where it shapes the updates
    assert ("regularization.clipping" in rules) == (not after)


PENALTY = """
import torch
from torch import nn
torch.manual_seed(0)
centres = torch.randn(5, 20) * 2
y = torch.randint(0, 5, (1024,))
x = centres[y] + torch.randn(1024, 20)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 5))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(120):
    i = torch.randint(0, 1024, (64,))
    loss = nn.functional.cross_entropy(model(x[i]), y[i])
    loss = loss + {l2} * sum((p ** 2).sum() for p in model.parameters())
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("l2", [5e-2, 1e-5])
def test_an_l2_penalty_added_by_hand_that_dominates_the_loss(check, l2: float) -> None:
    result = check(PENALTY.format(l2=l2))
    found = [f for f in result.findings if f["rule"] == "regularization.loss_penalty"]
    if l2 < 1e-3:
        assert found == []
        return
    assert found and found[0]["severity"] == "warning"
    # the coefficient is recovered from the sampled parameter norms
    assert found[0]["evidence"]["l2_coefficient"] == pytest.approx(l2, rel=0.1)


def test_a_loss_that_jumps_in_the_first_steps_under_large_updates() -> None:
    def loss(i: int) -> float:
        return {0: 2.3, 2: 18.0, 3: 8.0}.get(i, 1.2)

    assert [f.rule for f in diverging.fn(make_run(training(60, loss, ratio=0.2)))] == ["lr.diverging"]
    # the same jump with ordinary step sizes, or large steps without a jump: no verdict
    assert diverging.fn(make_run(training(60, loss, ratio=1e-3))) == []
    assert diverging.fn(make_run(training(60, lambda i: 2.3 if i == 0 else 1.2, ratio=0.2))) == []


def _finding(category: str, severity: str = "warning", **evidence: object) -> Finding:
    return Finding(rule=category, category=category, severity=severity, title="", observation="",
                   hypothesis="", suggestion="", step=0, evidence=dict(evidence))


def test_dead_units_do_not_explain_a_gradient_that_is_never_made() -> None:
    """Dead ReLUs zero the gradients upstream; a .grad that stays None needs a cut graph."""
    none = rank([_finding("dead_units"), _finding("no_gradient_flow", grad_none=True)])
    zero = rank([_finding("dead_units"), _finding("no_gradient_flow", grad_none=False)])
    assert none[1].explained_by is None
    assert zero[1].category == "no_gradient_flow" and zero[1].explained_by == zero[0].id


def test_the_more_severe_of_two_mutual_causes_ranks_first() -> None:
    ranked = rank([_finding("lr_too_high"), _finding("exploding_gradients", "error")])
    assert [f.category for f in ranked] == ["exploding_gradients", "lr_too_high"]


def test_a_nan_from_the_loss_after_ordinary_steps_is_not_exploding() -> None:
    steps = training(40, lambda i: 0.5 if i < 30 else math.nan, grad=0.2)
    for i, s in enumerate(steps):
        s["grad_norm"] = 0.2 if i < 30 else math.nan
    assert exploding.fn(make_run(steps)) == []
    # the same NaN after a step that moved the weights by more than their own norm
    for s in steps[:30]:
        s["update_ratio"] = [5.0] * 4
    assert [f.rule for f in exploding.fn(make_run(steps))] == ["gradients.exploding"]


def test_labels_measured_unrelated_to_inputs_are_not_explained_by_the_step_size() -> None:
    """A too-high rate can keep the loss at chance, but cannot make similar inputs carry unrelated labels."""
    measured = rank([_finding("lr_too_high"), _finding("label_problem", "error", labels_unrelated=True)])
    inferred = rank([_finding("lr_too_high"), _finding("label_problem", "warning", labels_unrelated=False)])
    assert measured[0].category == "label_problem" and measured[0].explained_by is None
    assert inferred[0].category == "lr_too_high" and inferred[1].explained_by == inferred[0].id
    sorted_batches = rank([_finding("unshuffled_data"), _finding("label_problem", "error", labels_unrelated=True)])
    assert sorted_batches[1].explained_by == sorted_batches[0].id


def test_a_zero_initialised_weight_has_no_update_ratio() -> None:
    """A logistic regression started at zero: its first update over a weight of norm 0 is no ratio."""
    from traindebug.rules.learning_rate import update_ratios

    steps = training(3, 0.69, ratio=1e-3)
    steps[0]["update_ratio"], steps[0]["param_norms"] = [2e12, 2e12, 1e-3, 1e-3], [0.0, 0.0, 1.0, 1.0]
    assert update_ratios(make_run(steps))[1] == pytest.approx([1e-3] * 3)


def test_inputs_holding_inf_are_non_finite_not_badly_scaled() -> None:
    from traindebug.rules.input_scale import feature_scale
    from traindebug.rules.non_finite import first_non_finite

    stats = {"kind": "input_stats", "step": 0, "module": "inp", "module_type": "Linear", "features": 4, "rms": "inf",
             "feature_rms_max": "inf", "feature_rms_median": 0.96, "abs_mean_max": "inf", "std_max": "nan"}
    steps = training(20, 0.7)
    steps[0]["grad_norms"] = ["nan"] * 4
    run = make_run(steps, extra=[stats])
    assert feature_scale.fn(run) == []
    found = first_non_finite.fn(run)
    assert found[0].evidence["first_in"] == "input" and "inputs going into inp" in found[0].observation


def test_the_added_term_is_read_per_step_even_where_a_step_has_no_loss_function_call() -> None:
    from traindebug.rules.over_regularization import loss_penalty

    steps = training(60, 0.7 + 0.2 * 4)  # data term 0.7, plus 0.2 x the summed squared parameter norms (4 x 1)
    for i, s in enumerate(steps):
        s["backward_passes"] = 1
        if i != 30:  # one step's loss written without a torch loss function
            s["loss_fn_value"], s["loss_fn_calls"] = 0.7, 1
    found = loss_penalty.fn(make_run(steps))
    assert [f.severity for f in found] == ["warning"]
    assert found[0].evidence["l2_coefficient"] == pytest.approx(0.2)

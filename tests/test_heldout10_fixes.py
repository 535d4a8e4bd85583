"""Fixes found by the tenth held-out set: a multi-task model's second loss, coupled weight decay
that outweighs the data gradient, clipping after the step that let one explosion through, a
NaN at step 0 ranked behind its would-be symptoms, and a dead network's zero-initialised
bias read as a large step."""

from __future__ import annotations

from typing import Any

import pytest

from traindebug.engine import rank
from traindebug.rules.gradient_scale import clip_after_update
from traindebug.rules.learning_rate import diverging
from traindebug.rules.loss_output_mismatch import broadcast
from traindebug.rules.over_regularization import decay_dominates
from traindebug.rules.stability import above_bound

from test_dynamics_rules import make_run, training
from test_heldout6_fixes import _finding


def _loss_input(name: str, input_shape: list[int], target_shape: list[int], broadcast_shape: list[int] | None) -> dict:
    return {"kind": "loss_input", "step": 0, "name": name, "input_shape": input_shape, "target_shape": target_shape,
            "broadcast_shape": broadcast_shape, "input_min": -1.0, "input_max": 1.0}


def test_a_broadcast_in_the_second_loss_of_a_multi_task_model_is_found() -> None:
    records = [_loss_input("cross_entropy", [16, 3], [16], None), _loss_input("mse_loss", [16, 1], [16], [16, 16])]
    found = broadcast.fn(make_run(training(20, 1.0), records))
    assert [(f.category, f.evidence["broadcast_shape"]) for f in found] == [("loss_output_mismatch", [16, 16])]
    # the same two losses with matching shapes: nothing
    records[1] = _loss_input("mse_loss", [16], [16], [16])
    assert broadcast.fn(make_run(training(20, 1.0), records)) == []


def _with_decay(kind: str, decay: float, grad: float, **group: Any) -> Any:
    """A run whose weight matrices have norm 1 and gradient norm ``grad`` under an optimizer with weight decay."""
    optimizers = {"kind": "optimizers", "step": 0,
                  "optimizers": [{"type": kind, "groups": [{"lr": 1e-3, "weight_decay": decay, **group}]}]}
    return make_run(training(40, lambda i: 1.0 - 0.002 * i, grad=grad), [optimizers])


@pytest.mark.parametrize(("kind", "decay", "grad", "group", "fires"), [
    ("Adam", 0.05, 0.02, {}, True),       # decay x |W| = 0.05, 2.5x the data gradient: the pull dominates
    ("Adam", 5e-4, 0.02, {}, False),      # the usual decay: 0.025x
    ("SGD", 0.5, 0.1, {}, True),
    ("AdamW", 0.05, 0.02, {}, False),     # decoupled: not added to the gradient
    ("Adam", 0.05, 0.02, {"decoupled_weight_decay": True}, False),
])
def test_coupled_weight_decay_is_judged_against_the_data_gradient(kind, decay, grad, group, fires) -> None:
    found = decay_dominates.fn(_with_decay(kind, decay, grad, **group))
    assert [f.category for f in found] == (["over_regularization"] if fires else [])


def _clip(total: float) -> dict[str, Any]:
    return {"clip_total_norm": total, "clip_max_norm": 1.0, "clip_after_update": 1.0}


def test_clipping_after_the_step_matters_when_it_let_one_explosion_through() -> None:
    # an IRNN whose third update was 9000x the bound, after which the state died: small gradients
    totals = [17.0, 47.0, 9200.0] + [0.8] * 37
    steps = [{**s, **_clip(t)} for s, t in zip(training(40, 1.0), totals)]
    found = clip_after_update.fn(make_run(steps))
    assert [(f.category, f.severity) for f in found] == [("exploding_gradients", "error")]
    # one modest excess of the bound on a healthy run: clipping would have shaped nothing
    steps = [{**s, **_clip(t)} for s, t in zip(training(40, 1.0), [3.0] + [0.8] * 39)]
    assert clip_after_update.fn(make_run(steps)) == []


def test_a_nan_at_step_0_is_not_explained_by_updates() -> None:
    nan = _finding("non_finite", "error")
    ranked = rank([_finding("exploding_gradients"), nan])
    assert ranked[0].category == "non_finite" and ranked[1].explained_by is None
    # later, after growing gradients, the NaN is their symptom
    later = _finding("non_finite", "error")
    later.step = 30
    ranked = rank([_finding("exploding_gradients", "error"), later])
    assert ranked[1].category == "non_finite" and ranked[1].explained_by == ranked[0].id


def test_a_zero_initialised_bias_is_not_a_large_step_when_no_weight_matrix_moves() -> None:
    # every hidden unit dead: the weight matrices get no gradient; only the output bias (norm 0 at
    # the start) moves, by a large fraction of its tiny norm
    steps = training(60, 1.386, ratio=0.0)
    for s in steps:
        s["update_ratio"] = [0.0, 0.0, 0.0, 0.3]
    assert diverging.fn(make_run(steps)) == []


def test_a_schedule_peak_past_the_stability_bound_that_the_run_recovers_from_is_info() -> None:
    from test_curvature_rules import _run

    # one-cycle: the loss falls, jumps at the peak rate (lr 0.01 x 300 = 3 > 2), then falls below its earlier low
    losses = [2.0 * 0.95**i for i in range(20)] + [1.5] * 10 + [0.3 * 0.95**i for i in range(30)]
    peak = [(0, 50.0), (20, 300.0), (25, 320.0)]

    def with_rates(late_rate: float) -> Any:
        return _run(peak, losses, rates=[0.01 if i < 30 else late_rate for i in range(len(losses))])

    assert [f.severity for f in above_bound.fn(with_rates(1e-5))] == ["info"]  # the schedule decayed the rate 1000x
    assert [f.severity for f in above_bound.fn(with_rates(0.01))] == ["warning"]  # the same rise at a constant rate

"""Fixes found by the thirty-second held-out set."""

from __future__ import annotations

import json

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from traindebug.probes.base import LossCall
from traindebug.probes.labels import LabelProbe
from traindebug.probes.loss_graph import linear_layers
from traindebug.rules.underfitting import underfitting

from test_dynamics_rules import make_run, training


def _call(logits: torch.Tensor, target: torch.Tensor) -> LossCall:
    return LossCall(name="binary_cross_entropy_with_logits", fn=F.binary_cross_entropy_with_logits, input=logits,
                    target=target, kwargs={}, output=torch.tensor(0.7), training=True)


def test_ranknet_pairs_against_a_constant_target_are_not_labels() -> None:
    """LambdaRank/RankNet: BCE on s_i - s_j for ordered pairs, target 1 for every pair (heldout32's
    healthy LambdaRank got 'every training label is class 1', an error)."""
    scorer = nn.Linear(4, 1)
    scores = scorer(torch.randn(6, 4)).squeeze(-1)
    i, j = torch.triu_indices(6, 6, offset=1)
    pairs = (scores[:, None] - scores[None, :])[i, j]
    assert LabelProbe().ordered_pairs(_call(pairs, torch.ones_like(pairs)))
    # a difference with labels that vary (ability minus difficulty) is an ordinary binary label
    assert not LabelProbe().ordered_pairs(_call(pairs, (torch.arange(pairs.numel()) % 2).float()))
    # a constant target on ordinary scores is still counted (and reported as identical labels)
    assert not LabelProbe().ordered_pairs(_call(scores, torch.ones_like(scores)))


PINN = """
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
nn.init.normal_(model[2].weight, std=STD)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x_bc, u_bc = torch.tensor([[0.0], [1.0]]), torch.zeros(2, 1)
for step in range(12):
    x = torch.rand(256, 1, requires_grad=True)
    du = torch.autograd.grad(model(x).sum(), x, create_graph=True)[0]
    residual = torch.autograd.grad(du.sum(), x, create_graph=True)[0] + torch.sin(3 * x)
    if EVAL:
        train_error = (model(torch.rand(4096, 1)) - 1).abs().mean()  # no no_grad: not in the loss
    loss = residual.pow(2).mean() + 10 * (model(x_bc) - u_bc).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


#: the unit check alone: the other expensive probes are not what these tests are about
CHEAP = [arg for probe in ("gradient_check", "batch_mixing", "function_check", "curvature")
         for arg in ("--schedule", f"{probe}=never")]


def _unit_rows(result) -> list[dict]:
    records = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    return next(r["layers"] for r in records if r["kind"] == "unit_health")


def test_units_are_read_on_the_largest_forward_the_loss_depends_on(check) -> None:
    """A PINN's loss on 256 collocation points (through the model's derivatives, not its output)
    and on 2 boundary points: the units were read on the 2 boundary points, the model's last
    forward (heldout32's PINN with the tanh gain as weight std: 36-39 % saturated there, 72 % on
    the collocation points; no finding)."""
    saturated = check(PINN.replace("STD", "5 / 3").replace("EVAL", "False"), *CHEAP)
    rows = _unit_rows(saturated)
    assert {tuple(r["shape"]) for r in rows} == {(256, 64)}
    assert "saturated_units" in saturated.categories()[:3]
    # a larger forward with gradients that the loss does not use is not read
    rows = _unit_rows(check(PINN.replace("STD", "0.1").replace("EVAL", "True"), *CHEAP, name="eval.py"))
    assert {tuple(r["shape"]) for r in rows} == {(256, 64)}


def test_a_linear_scorer_behind_ranking_pairs_is_counted_as_linear() -> None:
    """RankNet on s_i - s_j of the ordered pairs, selected with a boolean mask: the selection
    hid the scorer's four linear layers without activations (heldout32, silent)."""
    torch.manual_seed(0)
    scorer = nn.Sequential(nn.Linear(8, 16), nn.Linear(16, 16), nn.Linear(16, 1))
    scores = scorer(torch.randn(4, 6, 8)).squeeze(-1)
    differences = scores[:, :, None] - scores[:, None, :]
    relevance = torch.randn(4, 6)
    pairs = differences[(relevance[:, :, None] - relevance[:, None, :]) > 0]
    assert linear_layers(pairs.grad_fn) == 3
    scorer.insert(1, nn.ReLU())
    scores = scorer(torch.randn(4, 6, 8)).squeeze(-1)
    assert linear_layers((scores[:, :, None] - scores[:, None, :])[:, 0].grad_fn) == 0


@pytest.mark.parametrize(("level", "fires"), [(1.0, True), (1.1, False)])
def test_a_linear_model_whose_loss_stays_at_chance_is_underfitting(level: float, fires: bool) -> None:
    """The pair loss starts at ln 2 and stays there (0.6906 then 0.6928): that is no rising loss;
    one that rises above chance level is left to the divergence rules."""
    chance = math.log(2)
    steps = training(300, lambda i: 0.6906 if i < 3 else 0.6928 * level)
    loss_fn = {"kind": "loss_fn", "step": 0, "name": "binary_cross_entropy_with_logits", "classes": 2,
               "chance_loss": chance, "initial_loss": 0.6906}
    graph = {"kind": "loss_graph", "step": 0, "broadcasts": [], "linear_layers": 4}
    found = underfitting.fn(make_run(steps, extra=[loss_fn, graph]))
    assert [f.category for f in found] == (["underfitting"] if fires else [])

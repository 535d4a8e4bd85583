"""Fixes found by the ninth held-out set: dead ReLU units in healthy models, a straight-through
estimator read as a wrong gradient, parameters unfrozen after the optimizer was built, and a
network whose layers compose to one linear map."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from traindebug.probes.loss_graph import linear_layers
from traindebug.rules.dead_units import dead_relu
from traindebug.rules.learning_rate import diverging
from traindebug.rules.underfitting import underfitting

from test_dynamics_rules import make_run, training, unit_records


@pytest.mark.parametrize(("loss", "dead", "severity"), [
    (lambda i: 1.0 / (1 + i), [0.6, 0.62, 0.62], "info"),     # a healthy GCN readout: loss falls, 62 % dead
    (lambda i: 1.0, [0.6, 0.62, 0.62], "warning"),            # the same with a loss that stalls
    (lambda i: 1.0 / (1 + i), [0.9, 0.87, 0.9], "warning"),   # most of the layer dead
])
def test_dead_units_are_a_warning_when_the_loss_stalls_or_most_of_the_layer_is_dead(loss, dead, severity) -> None:
    found = dead_relu.fn(make_run(training(100, loss), unit_records("dead", dead)))
    assert [f.severity for f in found] == [severity]


STRAIGHT_THROUGH = """
import torch
from torch import nn

class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad):
        return grad  # straight through: a surrogate, not the derivative of sign

class Hash(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(8, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(SignSTE.apply(self.enc(x)))

torch.manual_seed(0)
x = torch.randn(256, 8)
y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
model = Hash()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    loss = nn.functional.cross_entropy(model(x[:64]), y[:64])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_straight_through_estimator_is_not_a_wrong_gradient(check) -> None:
    # sign() has derivative 0 wherever it is defined: the Function's gradient is a surrogate by design
    result = check(STRAIGHT_THROUGH)
    found = [f for f in result.findings if f["category"] == "wrong_gradient"]
    assert found and all(f["severity"] == "info" for f in found)
    assert "surrogate" in found[0]["observation"]


UNFROZEN_LATER = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(512, 10)
y = (x[:, :3].sum(1) > 0).long()
backbone = nn.Sequential(nn.Linear(10, 32), nn.ReLU())
head = nn.Linear(32, 2)
model = nn.Sequential(backbone, head)
backbone.requires_grad_(False)
opt = torch.optim.SGD(head.parameters(), lr=0.1)
for step in range(150):
    if step == 40:  # stage two: fine-tune everything
        backbone.requires_grad_(True)
        if {rebuild}:
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
    i = torch.randint(0, 512, (64,))
    loss = nn.functional.cross_entropy(model(x[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize(("rebuild", "frozen"), [(False, True), (True, False)])
def test_parameters_unfrozen_after_the_optimizer_was_built(check, rebuild: bool, frozen: bool) -> None:
    # the backbone is frozen when the run starts: it is observed once it becomes trainable
    result = check(UNFROZEN_LATER.format(rebuild=rebuild))
    found = [f for f in result.findings if f["rule"] == "flow.frozen"]
    assert [f["where"] for f in found] == (["0.0"] if frozen else [])


@pytest.mark.parametrize(("late", "fires"), [(1.0, True), (0.6, False)])
def test_huge_steps_with_a_loss_that_never_beats_the_label_prior_are_lr_too_high(late: float, fires: bool) -> None:
    # heldout9's post-LN transformer at lr 0.05: the first step already lands at chance (1.1 for
    # 3 balanced classes) and the loss stays there, 0.85x of its initial 1.2
    steps = training(200, lambda i: 1.2 if i == 0 else late, ratio=0.2)
    labels = {"kind": "labels", "counts": [100.0, 100.0, 100.0], "classes": 3, "name": "cross_entropy", "weighted": False}
    found = diverging.fn(make_run(steps, extra=[labels]))
    assert [f.category for f in found] == (["lr_too_high"] if fires else [])


@pytest.mark.parametrize(("layers", "severity"), [(0, None), (1, None), (8, "warning")])
def test_a_plateau_of_stacked_linear_layers_is_underfitting(layers: int, severity: str | None) -> None:
    # heldout9: a residual MLP that defines its activation and never applies it plateaus at
    # 0.39 ln 2 on two moons; below half of chance, label noise could explain that plateau
    chance = math.log(2)
    steps = training(300, lambda i: 0.58 if i < 3 else 0.5 - 0.23 * min(i, 120) / 120)
    graph = {"kind": "loss_graph", "step": 0, "broadcasts": [], "linear_layers": layers}
    found = underfitting.fn(make_run(steps, extra=[graph], chance=chance))
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_linear_layers_counts_weighted_ops_only_when_nothing_between_them_is_nonlinear() -> None:
    torch.manual_seed(0)
    x = torch.randn(4, 3)
    a, b = nn.Linear(3, 5), nn.Linear(5, 2)
    h = a(x)
    assert linear_layers(b(nn.functional.dropout(h, 0.2) + 0.5 * h).grad_fn) == 2  # residual, dropout, scaling
    assert linear_layers(b(torch.relu(h)).grad_fn) == 0
    assert linear_layers(b(h * torch.sigmoid(h)).grad_fn) == 0  # a gate: product of two model tensors
    assert linear_layers(a(x).grad_fn) == 1

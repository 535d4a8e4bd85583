"""Fixes found by the ninth held-out set: dead ReLU units in healthy models, a straight-through
estimator read as a wrong gradient, parameters unfrozen after the optimizer was built, and a
network whose layers compose to one linear map."""

from __future__ import annotations

import pytest

from traindebug.rules.dead_units import dead_relu

from test_dynamics_rules import make_run, training, unit_records


@pytest.mark.parametrize(("loss", "dead", "severity"), [
    (lambda i: 1.0 / (1 + i), [0.6, 0.62, 0.62], "info"),     # a healthy GCN readout: loss falls, 62 % dead
    (lambda i: 1.0, [0.6, 0.62, 0.62], "warning"),            # the same with a loss that stalls
    (lambda i: 1.0 / (1 + i), [0.9, 0.87, 0.9], "warning"),   # most of the layer dead
])
def test_dead_units_are_a_warning_when_the_loss_stalls_or_most_of_the_layer_is_dead(loss, dead, severity) -> None:
    found = dead_relu.fn(make_run(training(100, loss), unit_records("dead", dead)))
    assert [f.severity for f in found] == [severity]

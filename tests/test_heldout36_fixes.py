"""Fixes found by the thirty-sixth held-out set: softmax outputs fed to ctc_loss, ReLUs of a model
called once per bag, units that die while a healthy run learns, a fixed target expanded over the
batch, a linear log-rate head that starts positive, and Monte-Carlo dropout at evaluation."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

import traindebug
from traindebug.rules.dead_units import dead_relu, persistent_layers
from traindebug.rules.loss_output_mismatch import rate_as_log_rate
from traindebug.store import RunData

from test_dynamics_rules import make_run, training


def _ctc_rules(tmp_path: Path, head: str) -> list[str]:
    """A GRU recogniser trained with ctc_loss for 10 steps; ``head``: softmax or log_softmax."""
    torch.manual_seed(0)
    rnn, out = nn.GRU(4, 16, batch_first=True), nn.Linear(16, 5)
    opt = torch.optim.Adam([*rnn.parameters(), *out.parameters()], lr=1e-2)
    x, targets = torch.randn(6, 12, 4), torch.randint(1, 5, (6, 3))
    with traindebug.Session(tmp_path, optimizer=opt, quiet=True) as session:
        for _ in range(10):
            scores = getattr(out(rnn(x)[0]), head)(-1)
            loss = F.ctc_loss(scores.transpose(0, 1), targets, torch.full((6,), 12), torch.full((6,), 3))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [f.rule for f in session.verdict.findings]


def test_probabilities_fed_to_ctc_loss_are_a_loss_output_mismatch(tmp_path: Path) -> None:
    assert "loss_output.probabilities_to_ctc" in _ctc_rules(tmp_path / "softmax", "softmax")
    assert "loss_output.probabilities_to_ctc" not in _ctc_rules(tmp_path / "log_softmax", "log_softmax")


def _unit_rows(step: int, dead: list[float], rows: int) -> dict:
    return {"kind": "unit_health", "step": step,
            "layers": [{"name": "encoder.1", "op": "relu", "shape": [rows, 64], "dead": d} for d in dead]}


def test_a_layer_called_once_per_small_bag_is_judged_over_all_its_calls() -> None:
    """Eight calls of 10 samples each: too few samples per call, enough together. A unit dead in
    every call is dead; calls each 90 % dead may share no dead unit (union bound: 20 %)."""
    dead = [_unit_rows(s, [1.0] * 8, rows=10) for s in (0, 1, 10)]
    assert [l["name"] for l in persistent_layers(RunData(dead), "dead", 0.5)] == ["encoder.1"]
    assert persistent_layers(RunData([_unit_rows(s, [1.0], rows=10) for s in (0, 1, 10)]), "dead", 0.5) == []
    assert persistent_layers(RunData([_unit_rows(s, [0.9] * 8, rows=10) for s in (0, 1, 10)]), "dead", 0.5) == []


def test_units_that_die_while_the_loss_falls_are_an_info_unless_dead_from_the_start() -> None:
    steps = training(60, lambda i: 2.3 * 0.95**i)
    dying = [_unit_rows(s, [v], rows=64) for s, v in ((0, 0.2), (25, 0.85), (50, 0.9))]
    assert [f.severity for f in dead_relu.fn(make_run(steps, dying))] == ["info"]
    from_start = [_unit_rows(s, [v], rows=64) for s, v in ((0, 0.95), (25, 0.9), (50, 0.9))]
    assert [f.severity for f in dead_relu.fn(make_run(steps, from_start))] == ["warning"]


def test_a_fixed_target_expanded_over_the_batch_has_no_batch_spread(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = nn.Linear(8, 4)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    target = torch.randn(1, 4)
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True):
        for _ in range(5):
            loss = F.mse_loss(model(torch.randn(16, 8)), target.expand(16, 4))
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert not any("target_moments" in r for r in RunData.load(tmp_path / "metrics.jsonl").records("step"))


def test_a_linear_log_rate_head_that_starts_positive_is_not_a_rate() -> None:
    def run(op: str) -> RunData:
        return RunData([{"kind": "loss_input", "step": 0, "name": "poisson_nll_loss", "log_input": True,
                         "input_min": 0.05, "input_max": 0.4, "input_op": op}])
    assert rate_as_log_rate.fn(run("AddmmBackward0")) == []
    assert [f.category for f in rate_as_log_rate.fn(run("SoftplusBackward0"))] == ["loss_output_mismatch"]


def _dropout_evaluated_in_training_mode(tmp_path: Path, passes: int) -> list[str]:
    """30 steps; every 10 steps ``passes`` forwards under no_grad on one input, in training mode."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y, x_val = torch.randn(64, 8), torch.randint(0, 3, (64,)), torch.randn(32, 8)
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True) as session:
        for step in range(30):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 9:
                with torch.no_grad():
                    torch.stack([model(x_val).softmax(1) for _ in range(passes)]).mean(0)
    return [f.rule for f in session.verdict.findings]


def test_monte_carlo_dropout_passes_are_not_an_evaluation_in_training_mode(tmp_path: Path) -> None:
    assert "mode.train_during_eval_forward" not in _dropout_evaluated_in_training_mode(tmp_path / "mc", passes=20)
    assert "mode.train_during_eval_forward" in _dropout_evaluated_in_training_mode(tmp_path / "one", passes=1)

"""Fixes found by the thirty-fifth held-out set: a transformer built with dropout=0.0 evaluated in
training mode, a deep-equilibrium layer solved under torch.no_grad() with a one-step gradient,
and a heatmap CNN whose first layer's small gradient Adam makes up for."""

from __future__ import annotations

from pathlib import Path
import torch
import torch.nn.functional as F
from torch import nn

import traindebug
from traindebug.probes.module_modes import mode_sensitive_modules
from traindebug.rules.gradient_scale import vanishing_depth
from traindebug.store import RunData

from test_dynamics_rules import make_run, training


def test_dropout_of_zero_and_batch_norm_without_running_statistics_do_not_depend_on_the_mode() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.0), nn.BatchNorm1d(4, track_running_stats=False),
                          nn.Dropout(0.2), nn.BatchNorm1d(4))
    assert [name for name, _, _ in mode_sensitive_modules(model)] == ["3", "4"]


def _pointer_run(tmp_path: Path, dropout: float) -> list[str]:
    """A transformer encoder trained for 30 steps and evaluated under no_grad without model.eval()."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=dropout, batch_first=True),
                                                num_layers=1), nn.Flatten(), nn.Linear(16 * 4, 4))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.randn(64, 4, 16), torch.randint(0, 4, (64,))
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True) as session:
        for step in range(30):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 5 == 4:
                with torch.no_grad():
                    F.cross_entropy(model(x), y)
    return [f.rule for f in session.verdict.findings if f.severity != "info"]


def test_evaluation_in_training_mode_is_judged_only_where_the_mode_changes_the_output(tmp_path: Path) -> None:
    assert "mode.train_during_eval" not in _pointer_run(tmp_path / "p0", dropout=0.0)
    assert "mode.train_during_eval" in _pointer_run(tmp_path / "p1", dropout=0.1)


class FixedPoint(nn.Module):
    """z = tanh(W z + U x) solved under no_grad, then one application with the graph on."""

    def __init__(self) -> None:
        super().__init__()
        self.inject = nn.Linear(6, 16)
        self.W = nn.Linear(16, 16, bias=False)
        nn.init.orthogonal_(self.W.weight, gain=0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = self.inject(x)
        with torch.no_grad():
            z = torch.zeros_like(u)
            for _ in range(20):
                z = torch.tanh(self.W(z) + u)
        return torch.tanh(self.W(z) + u)


def test_a_fixed_point_solved_without_graph_is_an_info_not_a_cut_graph(tmp_path: Path) -> None:
    """Finite differences see the solve, the one-step gradient does not: by design. The no_grad
    calls inside the training forward are counted, an evaluation's are not."""
    torch.manual_seed(0)
    model = nn.Sequential(FixedPoint(), nn.Linear(16, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = torch.randn(32, 6), torch.randint(0, 3, (32,))
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True) as session:
        for _ in range(20):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model(x)
    run = RunData.load(tmp_path / "metrics.jsonl")
    (record,) = run.records("detached_calls")
    assert record["modules"] == [{"module": "0.W", "without_grad": 20, "with_grad": 1}]
    cut = [f for f in session.verdict.findings if f.rule == "flow.cut_graph"]
    assert [f.severity for f in cut] == ["info"] and cut[0].evidence["iterated"][0]["module"] == "0.W"
    assert [f for f in session.verdict.findings if f.severity != "info"] == []


def _adam_depth_run(first_step: float, progress: float) -> RunData:
    """Three conv weights: the first with a gradient 1/200 of the last's (RMS per entry), steps of
    ``first_step`` times the last's per entry, weights twice as large; the loss falls by ``progress``."""
    steps = training(40, lambda i: 1.0 - progress * min(i / 20, 1.0))
    for s in steps:
        s["grad_norms"] = [0.005 * 12, 0.5 * 12, 1.0 * 12]  # 144 entries each: RMS 0.005, 0.5, 1
        s["update_norms"] = [first_step * 0.01 * 12, 0.01 * 12, 0.01 * 12]
        s["param_norms"] = [2.0, 1.0, 1.0]
        s["update_ratio"] = [u / w for u, w in zip(s["update_norms"], s["param_norms"])]
    tensors = {"kind": "tensors", "step": 0, "names": ["c0.weight", "c1.weight", "c2.weight"],
               "shapes": [[16, 1, 3, 3], [16, 1, 3, 3], [16, 1, 3, 3]], "in_optimizer": [True] * 3}
    return make_run(steps, [tensors])


def test_small_first_layer_gradients_that_adam_makes_up_for_in_a_run_that_learns_are_not_vanishing() -> None:
    # equal steps per entry, relative update half the last's (larger weights), loss falls by 90 %
    assert vanishing_depth.fn(_adam_depth_run(first_step=1.0, progress=0.9)) == []
    # the same steps in a run that does not learn: the seeded sigmoid stacks trained with Adam
    assert [f.category for f in vanishing_depth.fn(_adam_depth_run(first_step=1.0, progress=0.1))] == ["vanishing_gradients"]
    # steps per entry 30x smaller (plain SGD, or Adam below its eps): vanishing, however the loss falls
    assert [f.category for f in vanishing_depth.fn(_adam_depth_run(first_step=1 / 30, progress=0.9))] == ["vanishing_gradients"]

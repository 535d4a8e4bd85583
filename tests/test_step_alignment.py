"""The hypergradient sign: the gradient right after an update, against that update
(``step_alignment`` in probes/updates.py), and the lr_too_low rule that reads it."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

import traindebug
from traindebug.probes.updates import UpdateProbe
from traindebug.rules.lr_too_low import steps_aligned
from traindebug.schedule import Schedule

from test_dynamics_rules import make_run, training


def test_a_span_makes_the_steps_after_each_multiple_due() -> None:
    pairs = Schedule(first=5, every=10, span=2)
    assert [s for s in range(35) if pairs.due(s)] == [0, 1, 2, 3, 4, 10, 11, 20, 21, 30, 31]


def test_only_the_step_after_a_measured_update_is_alignment_only() -> None:
    """Other due steps, as a log grid's under a schedule override, measure the update as before."""
    probe = UpdateProbe(blocks=64)
    assert [s for s in range(40, 75) if probe._alignment_step(s)] == [51, 61, 71]
    probe.schedule = Schedule(every=10, per_decade=4)
    assert not any(probe._alignment_step(s) for s in range(100))


def _alignments(tmp_path: Path, lr: float) -> list[tuple[int, float]]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x = torch.randn(512, 20)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True):
        for _ in range(100):
            batch = torch.randint(0, 512, (64,))
            loss = F.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    records = map(json.loads, (tmp_path / "metrics.jsonl").read_text().splitlines())
    return [(r["step"], r["step_alignment"]) for r in records if r.get("kind") == "step" and "step_alignment" in r]


def test_the_gradient_after_a_short_step_still_points_along_it(tmp_path: Path) -> None:
    """Measured on the step after each steady-phase update (51, 61, ...); a tiny rate leaves every
    next gradient along the update, a large one overshoots about half the time."""
    short = _alignments(tmp_path / "short", lr=1e-4)
    assert [s for s, _ in short] == [51, 61, 71, 81, 91]
    assert all(v > 0.5 for _, v in short)
    assert any(v < 0 for _, v in _alignments(tmp_path / "long", lr=0.1))


def _run(aligned: float, loss_end: float, ratio: float = 1e-3) -> list[str]:
    """120 steps from loss 2.0 to ``loss_end``; 12 alignments, ``aligned`` of them positive."""
    steps = training(120, lambda i: 2.0 + (loss_end - 2.0) * i / 119, ratio=ratio)
    positive = round(12 * aligned)
    for k, step in enumerate(range(51, 120, 10)):
        steps[step]["step_alignment"] = 0.4 if k < positive else -0.2
    for k, step in enumerate((55, 65, 75, 85, 95)):
        steps[step]["step_alignment"] = 0.4 if 7 + k < positive else -0.2
    return [f.rule for f in steps_aligned.fn(make_run(steps))]


def test_aligned_steps_with_a_loss_that_hardly_moves_mean_the_rate_is_too_small() -> None:
    assert _run(aligned=1.0, loss_end=1.9) == ["lr.steps_aligned"]
    assert _run(aligned=0.5, loss_end=1.9) == []  # overshooting half the time: a healthy rate
    assert _run(aligned=1.0, loss_end=0.5) == []  # aligned but the loss fell by 75 %: descending a long slope
    assert _run(aligned=1.0, loss_end=1.99, ratio=1e-6) == []  # tiny updates: lr.steps_too_small says it

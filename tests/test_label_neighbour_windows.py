"""Labels that go wrong part-way through a run (heldout33's active-learning loop stored each
round's queried labels by pool position): the neighbour probe measures a late window besides
the first steps, and ``labels.changed_during_run`` compares the two."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

import traindebug
from traindebug.rules.labels import changed_during_run
from traindebug.store import RunData

from test_dynamics_rules import make_run, training

CLASSES = 10


def _train(out: Path, wrong_from: int) -> list[str]:
    """An MLP on ten Gaussian clusters; from step ``wrong_from`` on, each batch's labels are
    those of other samples. Returns the warning categories."""
    torch.manual_seed(0)
    centres = torch.randn(CLASSES, 16) * 3
    y_all = torch.randint(0, CLASSES, (2000,))
    x_all = centres[y_all] + torch.randn(2000, 16)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    with traindebug.Session(out, quiet=True) as session:
        for step in range(120):
            idx = torch.randint(0, 2000, (64,))
            labels = y_all[idx] if step < wrong_from else y_all[torch.randint(0, 2000, (64,))]
            loss = F.cross_entropy(model(x_all[idx]), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [f.category for f in session.findings if f.severity in ("warning", "error")]


def test_the_probe_measures_a_first_and_a_late_window(tmp_path: Path) -> None:
    assert _train(tmp_path, wrong_from=1000) == []
    windows = {r["window"]: r for r in RunData.load(tmp_path / "metrics.jsonl").records("label_neighbours")}
    assert (windows["first"]["first_step"], windows["first"]["last_step"]) == (0, 15)  # 1024 samples
    assert (windows["late"]["first_step"], windows["late"]["last_step"]) == (32, 112)  # every 16th step
    for record in windows.values():  # clusters: neighbours share their label far above chance
        assert record["hits"] > 0.9 * record["samples"]


def test_labels_that_go_wrong_after_the_first_steps_are_a_label_problem(tmp_path: Path) -> None:
    assert _train(tmp_path, wrong_from=20)[:1] == ["label_problem"]


def _windows(first_kappa: float, late_kappa: float) -> list[dict[str, Any]]:
    """Neighbour records of 512 samples each with a 10 % chance of agreeing."""
    records = []
    for window, kappa, start, end in (("first", first_kappa, 0, 19), ("late", late_kappa, 32, 272)):
        expected = 51.2
        hits = expected + kappa * (512 - expected)
        records.append({"kind": "label_neighbours", "window": window, "hits": hits, "expected": expected,
                        "variance": 46.1, "samples": 512.0, "steps": 16, "first_step": start, "last_step": end})
    return records


def _labelled_run(loss_fraction: float, windows: list[dict[str, Any]]) -> RunData:
    prior = math.log(CLASSES)
    labels = {"kind": "labels", "counts": [100.0] * CLASSES, "steps": 300, "made_steps": 0}
    return make_run(training(300, prior * loss_fraction, ratio=2e-3), [labels, *windows], chance=prior)


def test_the_rule_needs_a_drop_in_agreement_and_a_loss_near_the_prior() -> None:
    found = changed_during_run.fn(_labelled_run(0.9, _windows(0.6, 0.1)))
    assert [f.category for f in found] == ["label_problem"]
    assert "steps 32-272" in found[0].observation and found[0].evidence["kept"] < 0.2
    # agreement kept at 0.62 of the first window's: the lowest healthy run measured; not a drop
    assert changed_during_run.fn(_labelled_run(0.9, _windows(0.6, 0.372))) == []
    # a model that fitted the later labels well: they go with something it can learn
    assert changed_during_run.fn(_labelled_run(0.2, _windows(0.6, 0.1))) == []
    # labels at chance from the start: labels.unrelated_to_inputs / no_signal speak, not this rule
    assert changed_during_run.fn(_labelled_run(0.9, _windows(0.01, 0.0))) == []

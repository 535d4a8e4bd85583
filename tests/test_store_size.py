"""The metric store summarises: a 10 000-step run of a 50-layer model stays under 50 MB."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

import traindebug
from traindebug.store import RunData

LIMIT_BYTES = 50 * 1024 * 1024


def _deep_run(out: Path, steps: int) -> Path:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(49):
        layers += [nn.Linear(8, 8), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    X, y = torch.randn(16, 8), torch.randint(0, 2, (16,))
    with traindebug.Session(out, quiet=True):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            opt.step()
    return out / "metrics.jsonl"


def test_store_grows_linearly_and_stays_small(tmp_path: Path) -> None:
    path = _deep_run(tmp_path / "run", 400)
    per_step = path.stat().st_size / 400
    assert per_step * 10_000 < LIMIT_BYTES, f"{per_step:.0f} bytes/step extrapolates past 50 MB"
    run = RunData.load(path)
    assert len(run.steps) == 400 and len(run.tensor_names) == 100


@pytest.mark.slow
def test_ten_thousand_steps_fifty_layers_under_50_mb(tmp_path: Path) -> None:
    path = _deep_run(tmp_path / "run", 10_000)
    assert path.stat().st_size < LIMIT_BYTES


def test_tensors_are_rounded_as_python_floats_are() -> None:
    """The vectorised rounding of stored tensors gives what rounding each float gives (five
    significant digits, short decimals; nan/inf as strings; tiny and huge magnitudes too)."""
    import random

    from traindebug.store import _bulk_to_host, _round

    rng = random.Random(0)
    values = [rng.uniform(-1, 1) * 10 ** rng.uniform(-40, 40) for _ in range(5000)]
    values += [0.0, 1.0, 999.995, 99999.5, 0.1, 5e-324, float("nan"), float("inf"), -float("inf")]
    stored, small = _bulk_to_host([torch.tensor(values, dtype=torch.float64), torch.tensor([[1 / 3, 2 / 3]])])
    assert [str(v) for v in stored] == [str(_round(v)) for v in values]
    assert small == [[_round(float(torch.tensor(1 / 3))), _round(float(torch.tensor(2 / 3)))]]


def test_on_host_values_see_full_precision_and_are_stored_rounded(tmp_path) -> None:
    """An OnHost value is computed at flush from the unrounded host values of its tensors
    (a difference of two close losses survives), and its result is rounded like the rest."""
    import json

    from traindebug.store import MetricStore, OnHost

    store = MetricStore(tmp_path / "m.jsonl")
    pair = torch.tensor([2.302513, 2.302401], dtype=torch.float64)
    store.append({"kind": "x", "gap": OnHost(lambda v: v[0] - v[1], (pair,)), "pair": pair, "n": OnHost(len, ([1, 2],))})
    store.close()
    record = json.loads((tmp_path / "m.jsonl").read_text())
    assert record["gap"] == 0.000112  # rounded inputs (2.3025, 2.3024) would give 0.0001
    assert record["pair"] == [2.3025, 2.3024]
    assert record["n"] == 2

"""Findings from per-sample statistics: alpha, gradient noise, gradient histograms."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import traindebug
from test_per_sample import fast_sessions  # noqa: F401  (autouse fixture: only the per-sample plugins)
from traindebug import thresholds as T
from traindebug.rules.gradient_histograms import vanishing_histogram
from traindebug.rules.gradient_noise import batch_too_small
from traindebug.rules.step_quality import overshooting, undershooting
from traindebug.store import RunData


def alpha_run(values: list[float], concave: float = 0.0) -> RunData:
    return RunData([{"kind": "alpha", "step": i, "alpha": v, "concave": concave} for i, v in enumerate(values)])


def test_alpha_rules_on_synthetic_records():
    assert [f.category for f in overshooting.fn(alpha_run([1.4, 2.0, 0.8, 1.6] * 5))] == ["lr_too_high"]
    assert [f.category for f in undershooting.fn(alpha_run([-0.99, -0.97, -0.98, -0.96] * 5))] == ["lr_too_low"]
    healthy = alpha_run([-0.6, -0.2, 0.3, 0.1, -0.4, 0.9, -0.8, 0.0] * 3)
    assert overshooting.fn(healthy) == [] and undershooting.fn(healthy) == []
    # concave fits are logged as -1 but say nothing about the step size
    assert undershooting.fn(alpha_run([-1.0] * 30, concave=1.0)) == []
    # too few measurements: no verdict
    assert overshooting.fn(alpha_run([3.0] * (T.ALPHA_MIN_MEASUREMENTS - 1))) == []
    # overshooting only at the start (warm-up) is not persistent
    assert overshooting.fn(alpha_run([2.0] * 10 + [0.0] * 20)) == []


def noise_run(factor: float, n: int = 32, steps: int = 30) -> RunData:
    return RunData([{"kind": "step", "step": s, "noise_batch_norm": factor * n, "noise_n": n,
                     "noise_norm_test": (factor * T.NORM_TEST_THETA**2) ** 0.5} for s in range(steps)])


def test_noise_rule_on_synthetic_records():
    found = batch_too_small.fn(noise_run(4 * T.NOISE_BATCH_FACTOR))
    assert [(f.category, f.severity) for f in found] == [("lr_too_high", "info")]
    assert found[0].evidence["suggested_batch"] == pytest.approx(4 * T.NOISE_BATCH_FACTOR * 32)
    assert batch_too_small.fn(noise_run(T.NOISE_BATCH_FACTOR / 4)) == []


def test_histogram_rule_on_synthetic_records():
    def run(first: float, last: float) -> RunData:
        tensors = {"kind": "tensors", "names": ["a.weight", "b.weight", "c.weight"], "shapes": [[4, 4]] * 3}
        rows = [{"kind": "step", "step": s, "grad_tiny_fraction": [first, first, last]} for s in range(10)]
        return RunData([tensors, *rows])

    assert [f.where for f in vanishing_histogram.fn(run(0.99, 0.0))] == ["a.weight"]
    assert vanishing_histogram.fn(run(0.2, 0.0)) == []
    assert vanishing_histogram.fn(run(0.99, 0.99)) == []  # everything small: a flat loss, not depth


def regression(lr_times_curvature: float, steps: int, tmp_path) -> list[str]:
    """Full-batch linear least squares with SGD at lr = k / lambda_max (alpha ~ k - 1 along the top direction)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 5, generator=g) * torch.tensor([3.0, 1.0, 1.0, 0.5, 0.5])
    y = x @ torch.randn(5, 1, generator=g)
    lam = torch.linalg.eigvalsh(2 * x.T @ x / len(x)).max().item()
    torch.manual_seed(0)
    model = nn.Linear(5, 1, bias=False)
    opt = torch.optim.SGD(model.parameters(), lr=lr_times_curvature / lam)
    with traindebug.Session(tmp_path, quiet=True, schedules={"alpha": "every:1"}) as session:
        for _ in range(steps):
            opt.zero_grad()
            F.mse_loss(model(x), y).backward()
            opt.step()
    return [f.rule for f in session.findings]


def test_alpha_flags_a_too_high_learning_rate(tmp_path):
    assert "alpha.overshooting" in regression(2.2, 25, tmp_path / "high")


def test_alpha_flags_a_too_low_learning_rate(tmp_path):
    assert "alpha.undershooting" in regression(0.01, 25, tmp_path / "low")


def test_alpha_quiet_on_a_good_learning_rate(tmp_path):
    rules = regression(0.5, 25, tmp_path / "good")
    assert "alpha.overshooting" not in rules and "alpha.undershooting" not in rules


def test_short_steps_that_still_bring_the_loss_down_are_information() -> None:
    alphas = [{"kind": "alpha", "step": i, "alpha": -0.98, "concave": 0.0} for i in range(20)]

    def with_loss(late: float) -> RunData:
        steps = [{"kind": "step", "step": i, "loss": 1.1 if i < 5 else late} for i in range(20)]
        return RunData(alphas + steps)

    assert [f.severity for f in undershooting.fn(with_loss(0.002))] == ["info"]
    assert [f.severity for f in undershooting.fn(with_loss(0.9))] == ["warning"]

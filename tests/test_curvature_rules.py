"""The stability rules: lr x lambda_max against the optimizer's bound, on real and synthetic runs."""

from __future__ import annotations

import pytest
import torch

from traindebug.rules.stability import above_bound, estimates, far_below, sharpening
from traindebug.store import RunData

SCRIPT = """
import sys, torch
from torch import nn
torch.manual_seed(0)
lr = float(sys.argv[1])
X = torch.randn(1024, 16)
y = (X @ torch.randn(16, 4)).argmax(1)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
for epoch in range(20):
    perm = torch.randperm(1024)
    for i in range(0, 1024, 64):
        idx = perm[i : i + 64]
        opt.zero_grad()
        nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
        opt.step()
"""


REGRESSION = """
import sys, torch
from torch import nn
torch.manual_seed(0)
lr = float(sys.argv[1])
X = torch.randn(1024, 16)
y = X @ torch.randn(16, 1) + 0.1 * torch.randn(1024, 1)
model = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=lr)
for epoch in range(5):
    for i in range(0, 1024, 64):
        opt.zero_grad()
        nn.functional.mse_loss(model(X[i : i + 64]), y[i : i + 64]).backward()
        opt.step()
"""


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: intra-op threads only add contention on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_healthy_sgd_run_gets_no_stability_warning(check) -> None:
    result = check(SCRIPT, "--max-steps", "120", script_args=("0.05",))
    run = RunData.load(result.out / "metrics.jsonl")
    assert len(estimates(run)) >= 4  # steps 0, 1, 2, 5, 10, 22, 46, 100 unless the time budget skips some
    assert not [f for f in result.serious() if f["rule"].startswith("stability.")]
    assert above_bound.fn(run) == [] and far_below.fn(run) == []


def test_too_high_lr_is_above_the_bound_with_the_loss_rising(check) -> None:
    result = check(REGRESSION, "--max-steps", "40", script_args=("1.0",))
    run = RunData.load(result.out / "metrics.jsonl")
    found = above_bound.fn(run)
    assert len(found) == 1
    finding = found[0]
    assert finding.category == "lr_too_high" and finding.severity in ("warning", "error")
    assert finding.evidence["lr_times_lambda_max"] > 2  # plain SGD
    assert "sharpness" in finding.figures
    assert (result.out / "figures" / "sharpness.png").is_file()


def _run(curvature: list[tuple[int, float]], losses: list[float], lr: float = 0.01, ratio: float = 1e-3,
         rates: list[float] | None = None) -> RunData:
    """A run with these curvature estimates (at ``lr``) and losses; ``rates``: the lr of each step."""
    records = [{"kind": "tensors", "names": ["w"], "shapes": [[4, 4]]}]
    records += [{"kind": "step", "step": i, "loss": v, "update_ratio": [ratio]} | ({"lr": [rates[i]]} if rates else {})
                for i, v in enumerate(losses)]
    records += [
        {"kind": "curvature", "step": s, "optimizer": "SGD", "lr": lr, "momentum": 0.0, "dampening": 0.0,
         "nesterov": False, "betas": None, "lambda_max": lam}
        for s, lam in curvature
    ]
    return RunData(records)


def test_far_below_the_bound_with_a_flat_loss_is_info_unless_updates_are_tiny() -> None:
    flat = [2.0 + 0.001 * (i % 3) for i in range(400)]
    estimates_ = [(0, 0.5), (1, 0.5), (10, 0.6)]  # lr 0.01 x 0.6 = 0.006 << 2: 0.003 of the bound
    assert far_below.fn(_run(estimates_, flat))[0].severity == "info"
    assert far_below.fn(_run(estimates_, flat, ratio=1e-7))[0].severity == "warning"
    # in 50 steps at 0.003 of the bound (below 1 / (2 x 50)) not even the sharpest direction converges
    short = far_below.fn(_run(estimates_, flat[:50]))[0]
    assert short.severity == "warning" and "sharpest direction closes only" in short.observation
    falling = [2.0 * 0.97**i for i in range(50)]
    assert far_below.fn(_run(estimates_, falling)) == []
    assert far_below.fn(_run([(0, 50.0), (1, 60.0), (10, 70.0)], flat)) == []  # 0.7 of the bound: not far


def test_far_below_with_small_updates_and_unconverging_steps_allows_a_loss_that_has_not_halved() -> None:
    """heldout31's GRU seq2seq at 2e-3 of the bound with updates of 4e-5: its noisy minibatch loss
    ended 20 % below its start, which the 2 % flat-loss bar read as progress."""
    estimates_ = [(0, 0.5), (1, 0.5), (10, 0.6)]  # 0.003 of the bound: below 1 / (2 x 150)
    slow = [2.0 * (1 - 0.2 * i / 149) for i in range(150)]
    (found,) = far_below.fn(_run(estimates_, slow, ratio=5e-5))
    assert found.severity == "warning" and "falls slowly" in found.title
    assert far_below.fn(_run(estimates_, slow)) == []  # updates of a healthy size: 20 % is progress
    halved = [2.0 * (1 - 0.6 * i / 149) for i in range(150)]
    assert far_below.fn(_run(estimates_, halved, ratio=5e-5)) == []
    assert far_below.fn(_run(estimates_, slow * 4, ratio=5e-5)) == []  # 600 steps: the sharpest direction converges

def test_sharpening_is_reported_only_near_the_bound() -> None:
    falling = [2.0 * 0.97**i for i in range(50)]
    grew_near = [(0, 20.0), (5, 60.0), (20, 120.0), (40, 150.0)]  # lr 0.01 x 150 = 1.5 of 2
    found = sharpening.fn(_run(grew_near, falling))
    assert len(found) == 1 and found[0].severity == "info"
    grew_far = [(0, 2.0), (5, 6.0), (20, 12.0), (40, 15.0)]  # 0.15 of 2: far from the edge
    assert sharpening.fn(_run(grew_far, falling)) == []
    # at the edge but the loss keeps falling: no lr_too_high
    assert above_bound.fn(_run([(0, 250.0), (5, 260.0), (20, 240.0)], falling)) == []

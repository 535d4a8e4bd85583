"""traindebug's per-sample statistics agree with cockpit-for-pytorch on the same run.

One small MLP, one SGD run, Cockpit (economy quantities plus MeanGSNR, TICDiag, TICTrace) and
traindebug (its per-sample probes scheduled every step) observing the very same steps. Differences of
definition: Cockpit stores Alpha and UpdateSize under the start step, as we do;
traindebug's update size is the core ``update_norms``; traindebug's TIC uses the
GGN diagonal (Cockpit's ``curvature='diag_ggn_exact'``), Cockpit's default is the
Hessian diagonal, the same for ReLU networks (both are tested).
"""

from __future__ import annotations

import json
import math
import warnings

import pytest
import torch
from torch import nn

cockpit = pytest.importorskip("cockpit")
from backpack import extend  # noqa: E402

import traindebug  # noqa: E402
import traindebug.session  # noqa: E402

STEPS = 5
N = 16
RTOL = 1e-4


def _run(tmp_path, activation=nn.Tanh, curvature="diag_ggn_exact"):
    from cockpit import quantities as Q
    from cockpit.utils.schedules import linear

    torch.manual_seed(0)
    model = extend(nn.Sequential(nn.Linear(12, 10), activation(), nn.Linear(10, 4)))
    X, Y = torch.randn(STEPS * N, 12), torch.randint(0, 4, (STEPS * N,))
    loss_fn = extend(nn.CrossEntropyLoss())
    individual = nn.CrossEntropyLoss(reduction="none")
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    every = linear(1)
    kinds = [Q.NormTest, Q.InnerTest, Q.OrthoTest, Q.MeanGSNR, Q.Alpha, Q.Distance, Q.UpdateSize,
             Q.GradNorm, Q.GradHist1d]
    tics = [Q.TICDiag(track_schedule=every, curvature=curvature), Q.TICTrace(track_schedule=every, curvature=curvature)]
    cp = cockpit.Cockpit(model.parameters(), quantities=[k(track_schedule=every) for k in kinds] + tics)
    schedules = {name: "every:1" for name in ("gradient_noise", "alpha", "distance", "tic")}
    # alpha on every sample and the exact GGN diagonal for TIC, as Cockpit's defaults
    options = {"gsnr": True, "per_sample_hist": True, "alpha_samples": 0, "tic_curvature": "ggn_exact"}
    with traindebug.Session(tmp_path, schedules=schedules, options=options, quiet=True):
        for step in range(STEPS):
            x, y = X[step * N : (step + 1) * N], Y[step * N : (step + 1) * N]
            opt.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            info = {"batch_size": N, "individual_losses": individual(out, y), "loss": loss, "optimizer": opt}
            with cp(step, info=info), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loss.backward(create_graph=cp.create_graph(step))
            opt.step()
    records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
    by_quantity: dict[str, dict[int, object]] = {}
    for step, values in cp.get_output().items():
        for name, value in values.items():
            by_quantity.setdefault(name, {})[step] = value
    return by_quantity, records


def _isolated_run(tmp_path_factory, **kwargs):
    from test_per_sample import few_plugins

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(traindebug.session, "plugin_manager", few_plugins)
        patch.setattr(traindebug.session, "write_outputs", lambda *args, **kwargs: None)
        return _run(tmp_path_factory.mktemp("cockpit"), **kwargs)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return _isolated_run(tmp_path_factory)


def _steps(records):
    return {r["step"]: r for r in records if r["kind"] == "step"}


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-9)


@pytest.mark.parametrize(
    "quantity, key",
    [("NormTest", "noise_norm_test"), ("InnerTest", "noise_inner_test"), ("OrthoTest", "noise_ortho_test"),
     ("MeanGSNR", "noise_gsnr")],
)
def test_gradient_noise_tests_agree(run, quantity, key):
    out, records = run
    steps = _steps(records)
    assert out[quantity], "cockpit computed nothing"
    for step, value in out[quantity].items():
        assert steps[step]["per_sample_path"] == "hooks"
        assert _close(steps[step][key], value), (step, steps[step][key], value)


def test_alpha_agrees(run):
    out, records = run
    ours = {r["step"]: r["alpha"] for r in records if r["kind"] == "alpha"}
    theirs = {s: a for s, a in out["Alpha"].items() if a is not None}
    assert len(theirs) >= STEPS - 2
    for step, value in theirs.items():
        assert _close(ours[step], value), (step, ours[step], value)


def test_distance_update_size_and_grad_norm_agree(run):
    out, records = run
    steps = _steps(records)
    for step, value in out["Distance"].items():
        assert all(_close(a, b) for a, b in zip(steps[step]["distance_init"], value)), step
    for step, value in out["UpdateSize"].items():
        assert all(_close(a, b) for a, b in zip(steps[step]["update_norms"], value)), step
    for step, value in out["GradNorm"].items():
        assert all(_close(a, b) for a, b in zip(steps[step]["grad_norms"], value)), step


def test_per_sample_histogram_agrees(run):
    out, records = run
    ours = {r["step"]: r["hist"] for r in records if r["kind"] == "per_sample_hist"}
    for step, value in out["GradHist1d"].items():
        theirs = [float(v) for v in value["hist"]]
        assert ours[step] == pytest.approx(theirs, abs=0.5), step


def _tic_agrees(out, records):
    steps = _steps(records)
    for quantity, key in (("TICDiag", "tic_diag"), ("TICTrace", "tic_trace")):
        assert out[quantity], "cockpit computed nothing"
        for step, value in out[quantity].items():
            assert _close(steps[step][key], value), (quantity, step, steps[step][key], value)


def test_tic_agrees_with_the_ggn_diagonal(run):
    """Cockpit's TIC with curvature='diag_ggn_exact' is our definition (tanh network)."""
    _tic_agrees(*run)


def test_tic_agrees_with_cockpit_default_on_relu(tmp_path_factory):
    """Cockpit's default curvature, the Hessian diagonal, equals the GGN diagonal for ReLU networks."""
    _tic_agrees(*_isolated_run(tmp_path_factory, activation=nn.ReLU, curvature="diag_h"))

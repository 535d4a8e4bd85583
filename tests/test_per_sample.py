"""Per-sample gradient statistics: every path against brute force, and no observer effect."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json

import pluggy
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import traindebug
import traindebug.session
from traindebug.plugins import Spec

N = 12
PROBES = {name: "every:1" for name in ("gradient_noise", "alpha")}
#: the plugins these tests need: the core step metrics, the per-sample probes and their rules
PLUGINS = (
    "traindebug.probes.loss",
    "traindebug.probes.gradients",
    "traindebug.probes.updates",
    "traindebug.probes.per_sample",
    "traindebug.probes.distance",
    "traindebug.probes.histograms",
    "traindebug.rules.gradient_noise",
    "traindebug.rules.step_quality",
)


def few_plugins(load_entry_points: bool = True) -> pluggy.PluginManager:
    """A plugin manager with only PLUGINS (fast sessions, independent of other probes)."""
    pm = pluggy.PluginManager("traindebug")
    pm.add_hookspecs(Spec)
    for name in PLUGINS:
        try:
            pm.register(importlib.import_module(name), name=name)
        except ModuleNotFoundError:
            continue
    return pm


@pytest.fixture(autouse=True)
def fast_sessions(monkeypatch):
    """Sessions run only PLUGINS and skip drawing the logbook (findings are still judged)."""
    monkeypatch.setattr(traindebug.session, "plugin_manager", few_plugins)
    monkeypatch.setattr(traindebug.session, "write_outputs", lambda *args, **kwargs: None)


class Scale(nn.Module):
    """A custom module with its own parameter (no BackPACK support)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.s = nn.Parameter(torch.linspace(0.5, 1.5, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.s


class Recurrent(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(3, 5, batch_first=True)
        self.fc = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class GatedRecurrent(nn.Module):
    """A GRU read through its last hidden state (no BackPACK support; the fused GRU
    kernel does not run under vmap)."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(3, 5, num_layers=2, batch_first=True)
        self.fc = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h = self.rnn(x)
        return self.fc(h[-1])


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))


def cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.Flatten(), nn.Linear(3 * 4 * 4, 3))


def layernorm() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 5), nn.LayerNorm(5), nn.Tanh(), Scale(5), nn.Linear(5, 3))


MODELS = {
    "mlp": (mlp, (N, 6)),
    "cnn": (cnn, (N, 2, 4, 4)),
    "layernorm": (layernorm, (N, 6)),
    "lstm": (Recurrent, (N, 4, 3)),
    "gru": (GatedRecurrent, (N, 4, 3)),
}


def brute_force(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """Norm and inner-product tests from per-sample gradients, one sample at a time."""
    rows = []
    for n in range(x.shape[0]):
        loss = F.cross_entropy(model(x[n : n + 1]), y[n : n + 1])
        grads = torch.autograd.grad(loss, [p for p in model.parameters()])
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    G = torch.stack(rows).double()
    g = G.mean(0)
    g_sq = g @ g
    var_l1 = ((G - g) ** 2).sum() / (len(G) - 1)
    proj = G @ g
    return {
        "noise_norm_test": float((var_l1 / len(G) / g_sq).sqrt()),
        "noise_inner_test": float((proj.var() / len(G)).sqrt() / g_sq),
        "per_sample_norm_median": float(G.norm(dim=1).median()),
    }


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int, out=None, set_to_none: bool = True,
          **session) -> list[dict]:
    opt = torch.optim.SGD(model.parameters(), lr=0.3)

    def loop() -> None:
        for _ in range(steps):
            opt.zero_grad(set_to_none=set_to_none)
            F.cross_entropy(model(x), y).backward()
            opt.step()

    if out is None:
        loop()
        return []
    with traindebug.Session(out, quiet=True, **session):
        loop()
    return [json.loads(line) for line in open(out / "metrics.jsonl")]


def data(shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(shape, generator=g), torch.randint(0, 3, (shape[0],), generator=g)


CASES = [("mlp", "hooks"), ("mlp", "backpack"), ("mlp", "func"), ("cnn", "hooks"), ("cnn", "func"),
         ("layernorm", "func"), ("lstm", "func"), ("gru", "func")]


@pytest.mark.parametrize("name, path", CASES)
def test_paths_match_brute_force(tmp_path, name, path):
    make, shape = MODELS[name]
    torch.manual_seed(0)
    model = make()
    x, y = data(shape)
    expected = brute_force(copy.deepcopy(model), x, y)
    records = train(model, x, y, 2, tmp_path, schedules=PROBES, options={"per_sample_path": path})
    errors = [r for r in records if r["kind"] == "probe_error"]
    assert not [e for e in errors if e["probe"] in ("per_sample", "gradient_noise", "alpha")], errors
    step0 = next(r for r in records if r["kind"] == "step" and r["step"] == 0)
    assert step0["per_sample_path"] == path
    for key, value in expected.items():
        assert step0[key] == pytest.approx(value, rel=2e-4), key


def test_automatic_path_choice(tmp_path):
    """hooks for Linear/Conv2d, BackPACK where it supports every layer, torch.func otherwise."""
    chosen = {}
    for name in MODELS:
        make, shape = MODELS[name]
        torch.manual_seed(0)
        records = train(make(), *data(shape), 1, tmp_path / name, schedules={"gradient_noise": "every:1"})
        chosen[name] = next(r for r in records if r["kind"] == "step")["per_sample_path"]
    assert chosen == {"mlp": "hooks", "cnn": "hooks", "layernorm": "func", "lstm": "backpack", "gru": "func"}


def test_alpha_is_the_same_on_every_path(tmp_path):
    alphas = {}
    for path in ("hooks", "backpack", "func"):
        torch.manual_seed(0)
        records = train(mlp(), *data((N, 6)), 3, tmp_path / path, schedules=PROBES,
                        options={"per_sample_path": path})
        alphas[path] = [r["alpha"] for r in records if r["kind"] == "alpha"]
    assert len(alphas["hooks"]) == 2
    assert alphas["backpack"] == pytest.approx(alphas["hooks"], rel=1e-3)
    assert alphas["func"] == pytest.approx(alphas["hooks"], rel=1e-3)


def test_alpha_samples_are_the_batchs_own_derivatives(tmp_path, monkeypatch):
    """With alpha_samples=k the directional derivatives are k distinct samples' own values
    (as computed over the whole batch), not an approximation."""
    from traindebug.probes.per_sample import PerSampleEngine

    original = PerSampleEngine.directional
    seen = []

    def spy(self, ctx, direction, at=None, samples=0):
        some = original(self, ctx, direction, at, samples=samples)
        seen.append((original(self, ctx, direction, at), some, samples))
        return some

    monkeypatch.setattr(PerSampleEngine, "directional", spy)
    torch.manual_seed(0)
    train(mlp(), *data((N, 6)), 3, tmp_path, schedules=PROBES, options={"alpha_samples": 5})
    assert len(seen) >= 2
    for full, some, k in seen:
        assert k == 5 and some.shape == (5,)
        matches = torch.stack([(full - v).abs().argmin() for v in some])
        assert len(set(matches.tolist())) == 5
        assert torch.allclose(full[matches], some, rtol=1e-5, atol=1e-7)


def test_alpha_start_mean_survives_zeroed_gradients(tmp_path):
    """zero_grad(set_to_none=False) zeroes the start gradients before the step completes:
    the start point's mean then comes from the per-sample derivatives, the same value."""
    means = {}
    for set_to_none in (True, False):
        torch.manual_seed(0)
        records = train(mlp(), *data((N, 6)), 4, tmp_path / str(set_to_none), set_to_none=set_to_none,
                        schedules=PROBES, options={"alpha_samples": 5})
        means[set_to_none] = [r["df0"] for r in records if r["kind"] == "alpha"]
    assert len(means[True]) == 3 and all(m != 0 for m in means[True])
    assert means[False] == pytest.approx(means[True], rel=1e-4)


def dropout_model() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3))


@pytest.mark.parametrize("make, path", [(mlp, "hooks"), (mlp, "backpack"), (dropout_model, "func")])
def test_no_observer_effect(tmp_path, make, path):
    """Parameters, and the RNG that dropout draws from, are bitwise the same with the probes."""
    x, y = data((N, 6))
    finals = []
    for observed in (False, True):
        torch.manual_seed(0)
        model = make()
        schedules = {**PROBES, "distance": "every:1", "histograms": "every:1"}
        train(model, x, y, 4, tmp_path / str(observed) if observed else None, schedules=schedules,
              options={"per_sample_path": path, "gsnr": True, "per_sample_hist": True})
        finals.append(([p.detach().clone() for p in model.parameters()], torch.rand(3)))
    (params_a, rng_a), (params_b, rng_b) = finals
    assert all(torch.equal(a, b) for a, b in zip(params_a, params_b))
    assert torch.equal(rng_a, rng_b)


def test_cheap_preset_has_no_per_sample_probes():
    from traindebug.plugins import collect_probes, plugin_manager
    from traindebug.probes.base import Settings

    names = {p.name for p in collect_probes(plugin_manager(False), Settings())}
    assert not names & {"per_sample", "gradient_noise", "alpha", "distance", "histograms"}
    economy = {p.name for p in collect_probes(plugin_manager(False), Settings(preset="economy"))}
    assert {"per_sample", "gradient_noise", "alpha", "distance", "histograms"} <= economy
    assert "tic" not in economy
    assert "tic" in {p.name for p in collect_probes(plugin_manager(False), Settings(preset="full"))}


def brute_force_tic(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """TICDiag and TICTrace from per-sample gradients and the GGN diagonal, one sample at a time."""
    from torch.func import functional_call, grad, hessian, jacrev

    params = {k: v.detach().double() for k, v in model.named_parameters()}
    model = model.double()
    second, ggn = 0.0, 0.0
    for n in range(x.shape[0]):
        xn, yn = x[n : n + 1].double(), y[n : n + 1]
        grads = grad(lambda p: F.cross_entropy(functional_call(model, p, (xn,)), yn))(params)
        second = second + torch.cat([g.reshape(-1) for g in grads.values()]) ** 2
        jac = jacrev(lambda p: functional_call(model, p, (xn,)).reshape(-1))(params)  # {name: [C, *shape]}
        J = torch.cat([j.reshape(j.shape[0], -1) for j in jac.values()], 1)  # [C, P]
        logits = functional_call(model, params, (xn,)).detach()
        H = hessian(lambda z: F.cross_entropy(z.reshape(1, -1), yn))(logits.reshape(-1))
        ggn = ggn + ((J.T @ H) * J.T).sum(1)
    second, ggn = second / x.shape[0], ggn / x.shape[0]
    return {"tic_diag": float((second / (ggn + 1e-7)).sum()), "tic_trace": float(second.sum() / (ggn.sum() + 1e-7))}


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_tic_matches_brute_force(tmp_path, name):
    """TIC on a model nobody extended with BackPACK: second moment from the user's backward,
    GGN diagonal from an isolated pass (Linear layers: batched backward of the loss
    Hessian's square root; a Sequential CNN: BackPACK's DiagGGNExact)."""
    make, shape = MODELS[name]
    torch.manual_seed(0)
    model = make()
    x, y = data(shape)
    expected = brute_force_tic(copy.deepcopy(model), x, y)
    records = train(model, x, y, 2, tmp_path, schedules={"tic": "every:1"}, options={"tic_curvature": "ggn_exact"})
    step0 = next(r for r in records if r["kind"] == "step" and r["step"] == 0)
    assert not [r for r in records if r["kind"] == "probe_error"]
    for key, value in expected.items():
        assert step0[key] == pytest.approx(value, rel=1e-4), key
    assert not any(hasattr(m, "output") or hasattr(m, "input0") for m in model.modules())
    assert not any("diag_ggn_exact" in p.__dict__ for p in model.parameters())


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_tic_monte_carlo_is_the_default_and_close(tmp_path, name):
    """The default curvature (one Monte Carlo column) runs on both paths and its trace
    term stays near the exact one."""
    make, shape = MODELS[name]
    torch.manual_seed(0)
    model = make()
    x, y = data(shape)
    expected = brute_force_tic(copy.deepcopy(model), x, y)
    records = train(model, x, y, 1, tmp_path, schedules={"tic": "every:1"})
    step0 = next(r for r in records if r["kind"] == "step" and r["step"] == 0)
    assert not [r for r in records if r["kind"] == "probe_error"]
    assert step0["tic_trace"] == pytest.approx(expected["tic_trace"], rel=0.5)
    assert step0["tic_trace"] != pytest.approx(expected["tic_trace"], rel=1e-6)  # a sample, not the exact value
    assert not any("diag_ggn_mc" in p.__dict__ for p in model.parameters())


def test_tic_from_the_users_graph_equals_the_extra_pass(tmp_path, monkeypatch):
    """On the hooks path the curvature columns go back through the user's own graph (kept
    by the backward, then freed): the same values as from an extra forward (the func path)."""
    from traindebug.probes import tic

    extra_passes = []
    monkeypatch.setattr(tic, "linear_diag_ggn", lambda *a, _f=tic.linear_diag_ggn: extra_passes.append(1) or _f(*a))
    make, shape = MODELS["mlp"]
    found = {}
    for path in ("hooks", "func"):
        assert len(extra_passes) <= 1  # step 0: the probes start at its backward, after its forward
        torch.manual_seed(0)
        records = train(make(), *data(shape), 3, tmp_path / path, schedules={"tic": "every:1"},
                        options={"per_sample_path": path})
        assert not [r for r in records if r["kind"] == "probe_error"]
        found[path] = [r[key] for r in records if r["kind"] == "step" for key in ("tic_diag", "tic_trace")]
    assert len(found["hooks"]) == 6 and len(extra_passes) == 1 + 3
    assert found["hooks"] == pytest.approx(found["func"], rel=2e-4)  # the store keeps 5 digits


def test_tic_frees_the_graph_it_kept(tmp_path):
    """The user's graph kept for TIC is consumed by TIC's own backward: a second backward
    through it fails as it would without traindebug."""
    make, shape = MODELS["mlp"]
    model = make()
    x, y = data(shape)
    with traindebug.Session(tmp_path, quiet=True, schedules={"tic": "every:1"}):
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with pytest.raises(RuntimeError, match="second time"):
            loss.backward()


def test_tic_monte_carlo_column_is_unbiased():
    """The mean of many one-column estimates of the GGN diagonal is the exact diagonal."""
    from traindebug.probes.tic import cross_entropy_hessian_sqrt, monte_carlo_column

    torch.manual_seed(0)
    logits, target = torch.randn(6, 4), torch.randint(0, 4, (6,))
    roots = cross_entropy_hessian_sqrt(logits, target, -100)  # [K, N, C]
    exact = torch.einsum("knc,knd->ncd", roots, roots)
    generator = torch.Generator().manual_seed(0)
    draws = torch.stack([monte_carlo_column(roots, generator)[0] for _ in range(20000)])  # [draws, N, C]
    estimate = torch.einsum("snc,snd->ncd", draws, draws) / draws.shape[0]
    assert estimate == pytest.approx(exact, abs=0.01)


@pytest.mark.parametrize("name, reason", [("lstm", "nn.Sequential"), ("layernorm", "no GGN diagonal")])
def test_tic_says_why_it_is_skipped(tmp_path, name, reason):
    make, shape = MODELS[name]
    torch.manual_seed(0)
    records = train(make(), *data(shape), 1, tmp_path, schedules={"tic": "every:1"})
    step0 = next(r for r in records if r["kind"] == "step")
    assert reason in step0["tic_skipped"]
    assert not [r for r in records if r["kind"] == "probe_error"]


@pytest.mark.parametrize("make", [Recurrent, GatedRecurrent])
def test_recurrent_models_with_clipping_fall_back(tmp_path, make):
    """Recurrent models trained with gradient clipping get per-sample statistics (BackPACK
    where it applies, else torch.func with the RNN kernels decomposed), equal to brute force."""
    torch.manual_seed(0)
    model = make()
    x, y = data((N, 4, 3))
    expected = brute_force(copy.deepcopy(model), x, y)
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    with traindebug.Session(tmp_path, quiet=True, schedules=PROBES):
        for _ in range(3):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e-3)
            opt.step()
    records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
    assert not [r for r in records if r["kind"] == "probe_error"]
    step0 = next(r for r in records if r["kind"] == "step" and r["step"] == 0)
    for key, value in expected.items():
        assert step0[key] == pytest.approx(value, rel=2e-4), key
    assert len([r for r in records if r["kind"] == "alpha"]) == 2


@pytest.mark.parametrize("kind", ["indices", "ignored", "smoothed", "probabilities"])
def test_cross_entropy_hessian_root_matches_autodiff(kind):
    """The closed-form square root of cross-entropy's Hessian equals the generic one
    (eigendecomposition of the autodiff Hessian) up to rotation: S S^T agrees."""
    from traindebug.probes.per_sample import LossCall
    from traindebug.probes.tic import cross_entropy_hessian_sqrt, loss_hessian_sqrt

    torch.manual_seed(0)
    z = torch.randn(6, 4)
    kwargs: dict = {}
    target = torch.randint(0, 4, (6,))
    if kind == "ignored":
        target[2], kwargs = -100, {"ignore_index": -100}
    if kind == "smoothed":
        kwargs = {"label_smoothing": 0.1}
    if kind == "probabilities":
        target = torch.rand(6, 4).softmax(1) * 0.9
    call = LossCall("cross_entropy", F.cross_entropy, z, target, kwargs, F.cross_entropy(z, target, **kwargs), True)
    closed = cross_entropy_hessian_sqrt(z, target, kwargs.get("ignore_index", -100))
    generic = loss_hessian_sqrt(dataclasses.replace(call, name="generic"), z)
    product = lambda s: torch.einsum("knc,knd->ncd", s.double(), s.double())  # noqa: E731
    assert torch.allclose(product(closed), product(generic), atol=1e-6)
    if kind == "ignored":
        assert closed[:, 2].abs().max() == 0


def test_histograms_count_what_brute_force_counts(tmp_path):
    """Per-tensor gradient-magnitude and parameter histograms, exact zeros and the tiny
    fraction, against counting by hand (tensors small enough to be taken whole)."""
    import math

    from traindebug.probes.histograms import GRAD_LOG_BINS, GRAD_LOG_RANGE, PARAM_BINS

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    with torch.no_grad():
        model[0].weight[0] = 0.0  # unit 0 dead-ish: zero gradients in layer 2's column 0 below
        model[0].bias[0] = -10.0
        model[2].weight.mul_(3e-6)  # gradients around 1e-7 for layer 0
    x, y = data((20, 6))
    params = [p.detach().clone() for p in model.parameters()]
    records = train(model, x, y, 1, tmp_path, schedules={"histograms": "every:1"})
    hist = next(r for r in records if r["kind"] == "histograms")
    step = next(r for r in records if r["kind"] == "step")
    copy_ = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    with torch.no_grad():
        for p, v in zip(copy_.parameters(), params):
            p.copy_(v)
    F.cross_entropy(copy_(x), y).backward()
    low, high = GRAD_LOG_RANGE
    for k, p in enumerate(copy_.parameters()):
        g = p.grad.abs().reshape(-1).tolist()
        expected = [0] * GRAD_LOG_BINS
        for v in (v for v in g if v > 0):
            expected[min(max(math.floor((math.log10(v) - low) * GRAD_LOG_BINS / (high - low)), 0), GRAD_LOG_BINS - 1)] += 1
        assert hist["grad_log"][k] == expected
        assert hist["grad_zero"][k] == sum(v == 0 for v in g)
        nonzero = [v for v in g if v > 0]
        assert step["grad_tiny_fraction"][k] == pytest.approx(sum(v < 1e-7 for v in nonzero) / max(len(nonzero), 1), abs=1e-4)
        values = p.detach().reshape(-1)
        edge = float(values.abs().max())
        assert hist["param_absmax"][k] == pytest.approx(edge, rel=1e-4)
        assert sum(hist["param"][k]) == values.numel() and len(hist["param"][k]) == PARAM_BINS
    assert any(0 < f < 1 for f in step["grad_tiny_fraction"])  # the case is not trivial
    assert any(z > 0 for z in hist["grad_zero"])


def test_tic_when_the_last_loss_does_not_reach_every_layer(tmp_path):
    """A summed loss whose last term (the loss TIC decomposes) depends on one head only:
    TIC's backward through the user's graph cannot reach the other head; it falls back,
    no probe error, and the user's run is unchanged."""

    class TwoHeads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.main, self.aux = nn.Linear(4, 3), nn.Linear(4, 1)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return self.main(x), self.aux(x)

    torch.manual_seed(0)
    model = TwoHeads()
    x, y = data((16, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with traindebug.Session(tmp_path, quiet=True, schedules={"tic": "every:1"}):
        for _ in range(3):
            opt.zero_grad()
            logits, side = model(x)
            (F.cross_entropy(logits, y) + F.mse_loss(side.squeeze(1), y.float())).backward()
            opt.step()
    records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
    assert not [r for r in records if r["kind"] == "probe_error"]
    assert len([r for r in records if r["kind"] == "step"]) == 3


def test_functional_call_parameters_are_skipped_not_misread(tmp_path):
    """Tensors trained through torch.func.functional_call are not the layers' own: the hooks
    path would pair their gradients with the wrong layer statistics; it says why it skips."""
    from torch.func import functional_call

    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    params = {k: v.detach().clone().requires_grad_() for k, v in net.named_parameters()}
    opt = torch.optim.Adam(params.values(), lr=1e-2)
    x, y = data((16, 4))
    with traindebug.Session(tmp_path, quiet=True, probes="full", schedules={"tic": "every:1"}):
        for _ in range(3):
            opt.zero_grad()
            F.cross_entropy(functional_call(net, params, (x,)), y).backward()
            opt.step()
    records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
    assert not [r for r in records if r["kind"] == "probe_error"]
    steps = [r for r in records if r["kind"] == "step"]
    assert steps and all(r.get("per_sample_skipped") and "per_sample_norms_sq" not in r for r in steps)
    assert any("functional_call" in r["per_sample_skipped"] for r in steps)

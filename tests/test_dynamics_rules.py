"""Training-dynamics rules and probes: lr_too_low, dead/saturated units, symmetric init,
overfitting, underfitting. Rules are checked on synthetic metric stores (fast, exact);
the probes on small tensors and one short real run."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from traindebug.probes.unit_health import dead_fraction, hidden_activations, saturated_fraction
from traindebug.probes.weight_symmetry import unit_spread
from traindebug.rules.base import late
from traindebug.rules.dead_units import dead_relu
from traindebug.rules.gradient_flow import frozen, no_gradient
from traindebug.rules.lr_too_low import schedule_decayed_early, steps_too_small
from traindebug.rules.overfitting import overfitting
from traindebug.rules.saturated_units import saturated
from traindebug.rules.symmetric_init import symmetric
from traindebug.rules.underfitting import underfitting
from traindebug.store import RunData

SHAPES = [[32, 16], [32], [10, 32], [10]]


def make_run(steps: list[dict[str, Any]], extra: list[dict[str, Any]] = (), chance: float | None = None) -> RunData:
    """A RunData with the tensors index of a 2-layer MLP, the given step records and extra records."""
    records: list[dict[str, Any]] = [
        {"kind": "tensors", "step": 0, "names": ["0.weight", "0.bias", "2.weight", "2.bias"], "shapes": SHAPES,
         "in_optimizer": [True] * 4},
    ]
    if chance is not None:
        records.append({"kind": "loss_fn", "step": 0, "name": "cross_entropy", "classes": round(math.exp(chance)),
                        "chance_loss": chance, "initial_loss": chance})
    records += [{"kind": "step", "step": i, **s} for i, s in enumerate(steps)]
    records += list(extra)
    return RunData(records)


def training(n: int, loss: Any, ratio: float = 1e-3, grad: float = 0.1, lr: Any = 0.1) -> list[dict[str, Any]]:
    """n step records: loss(i) or a constant, update ratios, gradient and weight norms, lr per step."""
    out = []
    for i in range(n):
        value = loss(i) if callable(loss) else loss
        rate = lr(i) if callable(lr) else lr
        out.append({"loss": value, "update_ratio": [ratio] * 4, "grad_norms": [grad] * 4,
                    "param_norms": [1.0] * 4, "grad_norm": grad * 2, "lr": [rate]})
    return out


# -- frozen_or_unoptimized vs vanished gradients --------------------------------------
def unchanged_steps(n: int, grad: float) -> list[dict[str, Any]]:
    """n steps where 0.weight never changes while its gradient norm is ``grad``; the rest learn."""
    grads = [grad, 0.1, 0.1, 0.1]
    return [{"grad_norms": grads, "update_grad_norms": grads, "update_norms": [0.0, 1e-3, 1e-3, 1e-3],
             "param_norms": [1.0] * 4} for _ in range(n)]


def test_unchanged_tensor_with_a_real_gradient_is_frozen() -> None:
    found = frozen.fn(make_run(unchanged_steps(50, grad=0.5)))
    assert [(f.category, f.where) for f in found] == [("frozen_or_unoptimized", "0")]


def test_unchanged_tensor_whose_gradient_vanished_is_not_frozen() -> None:
    # RMS gradient 1e-12 / sqrt(512): an SGD step that small rounds to nothing in float32
    assert frozen.fn(make_run(unchanged_steps(50, grad=1e-12))) == []


# -- lr_too_low ---------------------------------------------------------------------
def test_tiny_updates_with_healthy_gradients_and_flat_loss_are_lr_too_low() -> None:
    found = steps_too_small.fn(make_run(training(200, lambda i: 2.30 - 1e-4 * i, ratio=1e-7)))
    assert [f.category for f in found] == ["lr_too_low"]
    assert found[0].evidence["update_ratio"] == pytest.approx(1e-7)


def test_adam_sized_small_steps_on_wide_layers_are_lr_too_low() -> None:
    """Adam moves each weight by ~lr: lr=1e-6 on a 512-wide layer (rms(W) ~0.025) gives 4e-5."""
    assert [f.category for f in steps_too_small.fn(make_run(training(200, 1.39, ratio=4e-5)))] == ["lr_too_low"]


def test_healthy_update_ratio_is_not_lr_too_low() -> None:
    assert steps_too_small.fn(make_run(training(200, 2.3, ratio=1e-3))) == []


def test_tiny_updates_from_vanished_gradients_are_not_lr_too_low() -> None:
    assert steps_too_small.fn(make_run(training(200, 2.3, ratio=1e-9, grad=1e-8))) == []


def test_updates_below_1e5_with_a_noisy_slightly_falling_loss_are_lr_too_low() -> None:
    # small-batch noise: the late median 10 % below the first loss, the weights hardly move
    noisy = lambda i: 0.86 - 0.09 * min(i, 50) / 50 + 0.05 * (-1) ** i
    assert [f.category for f in steps_too_small.fn(make_run(training(200, noisy, ratio=7e-6)))] == ["lr_too_low"]
    # the looser bar holds only below taxonomy.md's ~1e-5
    assert steps_too_small.fn(make_run(training(200, noisy, ratio=5e-5))) == []


def test_tiny_updates_while_loss_falls_are_not_lr_too_low() -> None:
    assert steps_too_small.fn(make_run(training(200, lambda i: 2.3 * 0.99**i, ratio=1e-6))) == []


def test_schedule_stepped_per_batch_decays_to_zero_early() -> None:
    steps = training(300, 1.0, lr=lambda i: 0.01 * 0.5 ** (i // 10))
    found = schedule_decayed_early.fn(make_run(steps))
    assert [f.category for f in found] == ["lr_too_low"]
    assert found[0].evidence["decayed_from_step"] == 140  # 0.5**14 < 1e-4


@pytest.mark.parametrize(
    "lr",
    [
        lambda i: 0.5 * 0.1 * (1 + math.cos(math.pi * i / 299)),  # cosine to 0 at the last step
        lambda i: 0.1 * min(1.0, (i + 1) / 50),  # linear warm-up from ~0
        lambda i: 0.1 * 0.1 ** (i // 100),  # step decay, 3 stages
        lambda i: 0.0,  # lr 0 throughout is frozen_or_unoptimized, not a schedule
    ],
)
def test_healthy_schedules_are_not_decayed_early(lr) -> None:
    assert schedule_decayed_early.fn(make_run(training(300, 1.0, lr=lr))) == []


# -- dead and saturated units -----------------------------------------------------------
def unit_records(key: str, values: list[float], name: str = "fc1 -> relu") -> list[dict[str, Any]]:
    op = "relu" if key == "dead" else "tanh"
    return [{"kind": "unit_health", "step": 25 * i, "layers": [{"name": name, "op": op, "shape": [64, 128], key: v}]}
            for i, v in enumerate(values)]


def test_relu_layer_dead_at_the_last_checks_is_reported() -> None:
    found = dead_relu.fn(make_run(training(100, 1.0), unit_records("dead", [0.9, 0.85, 0.8, 0.8])))
    assert [(f.category, f.where) for f in found] == [("dead_units", "fc1 -> relu")]


@pytest.mark.parametrize("values", [[0.9, 0.6, 0.2, 0.1], [0.1, 0.2, 0.3, 0.45], [0.95]])
def test_recovering_sparse_or_unconfirmed_relu_layers_are_not_reported(values) -> None:
    assert dead_relu.fn(make_run(training(100, 1.0), unit_records("dead", values))) == []


def test_small_batches_are_not_judged_for_dead_units() -> None:
    records = unit_records("dead", [0.9, 0.9, 0.9])
    for r in records:
        r["layers"][0]["shape"] = [4, 128]
    assert dead_relu.fn(make_run(training(100, 1.0), records)) == []


def test_saturated_tanh_layer_is_reported_and_a_healthy_one_is_not() -> None:
    assert [f.category for f in saturated.fn(make_run(training(100, 1.0), unit_records("saturated", [0.7, 0.65, 0.6])))] == [
        "saturated_units"
    ]
    assert saturated.fn(make_run(training(100, 1.0), unit_records("saturated", [0.7, 0.3, 0.1]))) == []


# -- symmetric init --------------------------------------------------------------------------
def spread_steps(first: list[float], last: list[float], n: int = 120) -> list[dict[str, Any]]:
    steps = training(n, 2.3)
    steps[0]["unit_spread"] = first
    steps[100]["unit_spread"] = last
    return steps


def test_rows_identical_at_init_and_later_are_symmetric_init() -> None:
    found = symmetric.fn(make_run(spread_steps([0.0, -1, 0.0, -1], [0.0, -1, 0.0, -1]), chance=math.log(10)))
    assert [f.category for f in found] == ["symmetric_init"]
    assert found[0].evidence["tensors"] == ["0.weight", "2.weight"]


def test_zero_initialized_output_layer_that_breaks_symmetry_is_fine() -> None:
    assert symmetric.fn(make_run(spread_steps([1.1, -1, 0.0, -1], [1.1, -1, 0.4, -1]))) == []


# -- overfitting ------------------------------------------------------------------------------
def with_evals(steps: list[dict[str, Any]], evals: dict[int, float]) -> list[dict[str, Any]]:
    for step, value in evals.items():
        steps[step]["eval_loss"] = value
    return steps


def test_eval_loss_rising_while_train_loss_falls_is_overfitting() -> None:
    evals = {s: 1.0 - 0.004 * s if s <= 100 else 0.6 + 0.003 * (s - 100) for s in range(0, 300, 10)}
    found = overfitting.fn(make_run(with_evals(training(300, lambda i: math.exp(-i / 60)), evals)))
    assert [f.category for f in found] == ["overfitting"]
    assert found[0].evidence["best_step"] == 100


@pytest.mark.parametrize(
    "evals, train",
    [
        ({s: 1.0 - 0.002 * s for s in range(0, 300, 10)}, lambda i: math.exp(-i / 60)),  # both fall
        ({s: 0.6 + 0.02 * math.sin(s) for s in range(0, 300, 10)}, lambda i: 0.5),  # noise around a floor
        ({s: 0.5 + 0.003 * s for s in range(0, 300, 10)}, lambda i: 0.5 + 0.003 * i),  # both rise: divergence
        ({0: 1.0, 100: 0.6, 200: 0.9}, lambda i: math.exp(-i / 60)),  # too few evaluations
    ],
)
def test_no_overfitting_without_a_clear_train_eval_divergence(evals, train) -> None:
    assert overfitting.fn(make_run(with_evals(training(300, train), evals))) == []


# -- underfitting ------------------------------------------------------------------------------
def test_plateau_far_above_zero_with_healthy_updates_is_underfitting() -> None:
    loss = lambda i: 1.4 + 0.9 * math.exp(-i / 20)  # plateaus at 0.61 x ln(10)
    found = underfitting.fn(make_run(training(300, loss), chance=math.log(10)))
    assert [f.category for f in found] == ["underfitting"]


@pytest.mark.parametrize("plateau, flagged", [(0.59, False), (0.85, False), (0.95, True)])
def test_regression_plateau_is_judged_against_the_initial_loss(plateau: float, flagged: bool) -> None:
    """No chance level: a noisy regression ends at 0.6-0.8 of its initial loss (clean), a linear fit of a wave at ~1."""
    loss = lambda i: plateau + (1 - plateau) * math.exp(-i / 20)
    assert bool(underfitting.fn(make_run(training(300, loss)))) is flagged


@pytest.mark.parametrize(
    "loss, ratio",
    [
        (lambda i: 2.3 * math.exp(-i / 40), 1e-3),  # converges
        (lambda i: 0.3 + 2.0 * math.exp(-i / 20), 1e-3),  # plateaus low
        (lambda i: 2.3, 1e-7),  # flat because the steps are tiny (lr_too_low)
        (lambda i: 2.3 - 0.005 * i, 1e-3),  # still falling steadily
    ],
)
def test_no_underfitting_when_the_loss_falls_or_the_steps_are_tiny(loss, ratio) -> None:
    assert underfitting.fn(make_run(training(300, loss, ratio=ratio), chance=math.log(10))) == []


# -- probes -------------------------------------------------------------------------------------
def test_graph_walk_finds_hidden_activations_however_written() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 8)
    w1, w2, w3 = (torch.randn(8, 16, requires_grad=True), torch.randn(16, 16, requires_grad=True),
                  torch.randn(16, 1, requires_grad=True))
    h = F.relu(x @ w1)  # hidden: feeds a matmul
    h = nn.Tanh()(h @ w2)  # hidden
    out = torch.sigmoid(h @ w3)  # the model's output: not hidden
    ops = [n.name() for n in hidden_activations(out)]
    assert ops == ["ReluBackward0", "TanhBackward0"]


def test_dead_and_saturated_fractions() -> None:
    out = torch.zeros(16, 4)
    out[:, 0] = 1.0
    assert dead_fraction(out, 1).item() == pytest.approx(0.75)
    images = torch.zeros(8, 3, 5, 5)
    images[:, 1, 2, 2] = 0.5
    assert dead_fraction(images, 1).item() == pytest.approx(2 / 3)
    assert saturated_fraction(torch.tensor([[-1.0, -0.9995, 0.0, 0.5]]), -1.0, 1.0).item() == pytest.approx(0.5)


def test_unit_spread_tells_identical_units_from_random_ones() -> None:
    assert unit_spread(torch.zeros(8, 4)).item() == 0.0
    assert unit_spread(torch.full((8, 4), 0.05)).item() == 0.0
    assert unit_spread(torch.randn(64, 32)).item() > 0.5
    # identical columns: the units of a matrix used as x @ W (64 inputs, 48 units)
    assert unit_spread(torch.randn(64, 1).expand(64, 48)).item() == 0.0
    assert unit_spread(torch.randn(1, 32)).item() > 0.5
    assert unit_spread(torch.randn(1, 1)).item() == -1.0
    assert unit_spread(torch.randn(32)).item() == -1.0


DEAD_SCRIPT = """
import torch
from torch import nn
import torch.nn.functional as F
torch.manual_seed(0)
X = torch.randn(512, 10)
y = (X[:, 0] > 0).long()
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 64)
        self.fc2 = nn.Linear(64, 2)
        nn.init.constant_(self.fc1.bias, BIAS)
    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for step in range(60):
    idx = torch.randint(0, 512, (64,))
    opt.zero_grad()
    F.cross_entropy(net(X[idx]), y[idx]).backward()
    opt.step()
"""


@pytest.mark.parametrize("bias, dead", [(-4.0, True), (0.0, False)])
def test_functional_relu_dead_units_end_to_end(check, bias: float, dead: bool) -> None:
    torch.set_num_threads(1)
    result = check(DEAD_SCRIPT.replace("BIAS", str(bias)))
    run = RunData.load(result.out / "metrics.jsonl")
    names = {row["name"] for r in run.records("unit_health") for row in r["layers"]}
    assert names == {"fc1 -> relu"}
    assert ("dead_units" in result.categories()) is dead


# -- reviewed core pieces -------------------------------------------------------------------------
def test_stale_gradient_counts_only_tensors_the_step_updates(tmp_path) -> None:
    """A frozen tensor (or the other network of a GAN) may keep an old .grad: not missing_zero_grad."""
    from traindebug.probes.base import RunContext, Settings, StepContext
    from traindebug.probes.gradients import GradientProbe

    updated, untouched = nn.Parameter(torch.ones(3)), nn.Parameter(torch.ones(3))
    run = RunContext(out_dir=tmp_path, settings=Settings(), params=[("a", updated), ("b", untouched)])
    probe = GradientProbe()
    for stale in (torch.zeros(3), torch.full((3,), 2.0)):
        ctx = StepContext(run, 0, lambda record: None)
        updated.grad, untouched.grad = stale.clone(), torch.full((3,), 5.0)
        probe.before_backward(ctx)
        with torch.no_grad():
            updated.add_(1.0)  # the optimizer step
        probe.after_step(ctx)
        assert float(ctx.record_data["stale_grad"]) == pytest.approx(float(stale.norm()))


def test_gan_style_alternating_updates_are_not_judged_for_underfitting() -> None:
    steps = training(300, lambda i: 1.3 + 0.05 * math.sin(i))
    for i, s in enumerate(steps):
        s["update_ratio"] = [1e-3, 1e-3, 0.0, 0.0] if i % 2 else [0.0, 0.0, 1e-3, 1e-3]
    assert underfitting.fn(make_run(steps, chance=math.log(2))) == []
    for s in steps:
        s["update_ratio"] = [1e-3] * 4
    assert [f.category for f in underfitting.fn(make_run(steps, chance=math.log(2)))] == ["underfitting"]


def test_vanishing_depth_compares_layers_within_one_model() -> None:
    from traindebug.rules.gradient_scale import vanishing_depth

    names = ["0.weight", "1.weight", "2.weight", "model1.0.weight", "model1.1.weight", "model1.2.weight"]
    records = [{"kind": "tensors", "step": 0, "names": names, "shapes": [[8, 8]] * 6, "in_optimizer": [True] * 6}]
    # model 0 has tiny gradients everywhere, model 1 large ones: no layer vanishes within a model
    records += [{"kind": "step", "step": i, "grad_norms": [1e-5, 1e-5, 1e-5, 1.0, 1.0, 1.0]} for i in range(10)]
    assert vanishing_depth.fn(RunData(records)) == []
    records += [{"kind": "step", "step": 10 + i, "grad_norms": [1e-5, 1e-3, 1e-1, 1.0, 1.0, 1.0]} for i in range(10)]
    assert vanishing_depth.fn(RunData(records[:1] + records[11:])) != []


def test_vanishing_depth_ignores_embedding_tables() -> None:
    """Only the looked-up rows of an embedding get a gradient: its RMS gradient is small by design."""
    from traindebug.rules.gradient_scale import vanishing_depth

    names = ["embed.weight", "fc1.weight", "fc2.weight", "fc3.weight"]
    records = [
        {"kind": "tensors", "step": 0, "names": names, "shapes": [[5000, 64], [64, 64], [64, 64], [4, 64]]},
        {"kind": "activations", "step": 0, "modules": [{"module": "embed", "kind": "Embedding"},
                                                       {"module": "fc1", "kind": "Linear"}]},
    ]
    records += [{"kind": "step", "step": i, "grad_norms": [1e-3, 0.5, 0.5, 0.5]} for i in range(10)]
    assert vanishing_depth.fn(RunData(records)) == []
    records[1]["modules"][0]["kind"] = "Linear"
    assert vanishing_depth.fn(RunData(records)) != []


def test_regression_baseline_is_the_target_variance() -> None:
    """A linear fit of a wave: MSE 0.49 is 0.47 of its (badly initialized) first loss but 0.96 of var(y)
    (as measured on buggy_examples/underfitting_linear_regression_wave.py)."""
    loss = lambda i: 0.49 + 0.6 * math.exp(-i / 10)
    steps = training(300, loss)
    assert underfitting.fn(make_run(steps)) == []
    stats = [{"kind": "loss_input", "step": 0, "name": "mse_loss", "target_std": 0.715}]
    records = list(make_run(steps, stats)) + [{"kind": "loss_fn", "step": 0, "name": "mse_loss", "chance_loss": None}]
    assert [f.category for f in underfitting.fn(RunData(records))] == ["underfitting"]


def test_late_rows_are_chosen_by_step_not_by_row_count() -> None:
    """Per-tensor rows come every step for 50 steps, then every 10th: the last half of a
    300-step run is steps 145..290, 15 rows, not the last half of the 75 rows."""
    steps = list(range(50)) + list(range(50, 300, 10))
    rows = [[float(s)] for s in steps]
    chosen = late(steps, rows, fraction=0.5)
    assert [r[0] for r in chosen] == [float(s) for s in range(150, 300, 10)]
    assert late(steps[:2], rows[:2]) == rows[:2]  # too few rows: the last ones there are
    assert late([], []) == []


def test_a_cancelling_bias_is_information_a_cut_module_a_warning() -> None:
    """A bias with an exactly zero gradient while its layer's weight gets one (a pairwise
    ranking score difference cancels it) is noted; a layer with no gradient at all is not."""
    bias_only = [{"grad_norms": [0.1, 0.1, 0.1, 0.0]} for _ in range(20)]
    found = no_gradient.fn(make_run(bias_only))
    assert [(f.category, f.severity) for f in found] == [("no_gradient_flow", "info")]
    whole_layer = [{"grad_norms": [0.1, 0.1, 0.0, 0.0]} for _ in range(20)]
    assert [(f.category, f.severity) for f in no_gradient.fn(make_run(whole_layer))] == [("no_gradient_flow", "warning")]


def test_an_optimizer_that_never_steps_is_frozen() -> None:
    from traindebug.rules.gradient_flow import never_stepped

    def run(stepped: bool, backwards: int, optimizers: list[str]) -> RunData:
        end = {"kind": "end", "status": "completed", "steps": 1, "backward_passes": backwards, "optimizers": optimizers,
               "optimizer_stepped": stepped}
        return make_run(training(2, 1.0), extra=[end])

    assert [f.category for f in never_stepped.fn(run(False, 300, ["AdamW"]))] == ["frozen_or_unoptimized"]
    assert never_stepped.fn(run(True, 300, ["AdamW"])) == []  # one step after 300 micro-batches: it stepped
    assert never_stepped.fn(run(False, 300, [])) == []  # manual updates, no optimizer object
    assert never_stepped.fn(run(False, 8, ["SGD"])) == []  # too few backward passes to say


def test_tensors_found_later_are_judged_over_their_own_rows() -> None:
    """An optimizer's parameters outside every observed model join the per-tensor rows at
    the first step; a row that never gets a gradient is still reported."""
    steps = [{"grad_norms": [0.1, 0.1, 0.1, 0.1]}] + [{"grad_norms": [0.1, 0.1, 0.1, 0.1, 0.0]} for _ in range(20)]
    run = make_run(steps)
    tensors = {**run.last("tensors"), "names": [*run.tensor_names, "optimizer1.group0.param0"], "in_optimizer": [True] * 5}
    found = no_gradient.fn(RunData([tensors, *run.records("step")]))
    assert [(f.category, f.severity, f.where) for f in found] == [("no_gradient_flow", "warning", "optimizer1.group0")]


@pytest.mark.parametrize("steps_the_optimizer", [True, False])
def test_the_end_record_says_whether_an_optimizer_stepped(tmp_path, steps_the_optimizer: bool) -> None:
    import json

    import traindebug

    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with traindebug.Session(tmp_path, quiet=True):
        for _ in range(5):
            F.cross_entropy(model(torch.randn(8, 4)), torch.randint(0, 2, (8,))).backward()
            if steps_the_optimizer:
                opt.step()
                opt.zero_grad()
    end = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()][-1]
    assert end["kind"] == "end" and end["optimizer_stepped"] is steps_the_optimizer


def test_a_layer_counts_as_reached_only_if_a_tensor_of_it_got_a_gradient() -> None:
    """The cancelling-bias exception needs evidence that the graph reaches the layer: a
    sibling tensor seen on too few steps to be judged, with zero gradients, is none."""
    names = ["a.weight", "a.bias", "b.bias", "b.weight"]
    steps = [{"grad_norms": [0.1, 0.1, 0.0]} for _ in range(18)] + [{"grad_norms": [0.1, 0.1, 0.0, 0.0]} for _ in range(2)]
    run = make_run(steps)
    tensors = {**run.last("tensors"), "names": names, "in_optimizer": [True] * 4}
    found = no_gradient.fn(RunData([tensors, *run.records("step")]))
    assert [(f.severity, f.where) for f in found] == [("warning", "b")]

"""Data and loop checks: probes on hand-driven steps, rules on synthetic runs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from traindebug.probes.base import LossCall, RunContext, Settings, StepContext
from traindebug.probes.inputs import InputScaleProbe
from traindebug.probes.labels import LabelProbe
from traindebug.probes.loss_inputs import loss_input_stats
from traindebug.probes.module_modes import ModuleModeProbe, mode_sensitive_modules
from traindebug.rules import input_scale, labels, loss_output_mismatch, over_regularization, unshuffled_data, wrong_mode
from traindebug.store import RunData, _to_python


# -- helpers ---------------------------------------------------------------------
def call(name: str, x: torch.Tensor, t: Any, training: bool = True, **kwargs: Any) -> LossCall:
    fn = getattr(F, name)
    return LossCall(name, fn, x, t, kwargs, fn(x, t, **kwargs).detach(), training)


def loss_input_record(name: str, x: torch.Tensor, t: Any, **kwargs: Any) -> dict[str, Any]:
    return _to_python([{"kind": "loss_input", "step": 0, **loss_input_stats(call(name, x, t, **kwargs))}])[0]


def run_of(records: list[dict[str, Any]], losses: list[float] | None = None, **step_keys: list[Any]) -> RunData:
    """A run with step records built from per-step lists (``loss`` and any other key)."""
    n = len(losses) if losses is not None else max((len(v) for v in step_keys.values()), default=0)
    steps = []
    for i in range(n):
        s: dict[str, Any] = {"kind": "step", "step": i}
        if losses is not None:
            s["loss"] = losses[i]
        s.update({k: v[i] for k, v in step_keys.items() if i < len(v)})
        steps.append(s)
    return RunData(_to_python(records) + steps)


def categories(findings: list) -> list[tuple[str, str]]:
    return [(f.category, f.severity) for f in findings]


class Sink(list):
    def __call__(self, record: dict[str, Any]) -> None:
        self.append(record)


def ctx_for(models: list[nn.Module], step: int = 0) -> tuple[StepContext, Sink]:
    run = RunContext(out_dir=Path("."), settings=Settings(), models=models)
    for m in models:
        run.params += list(m.named_parameters())
        run.module_names.update({id(mod): name or type(mod).__name__ for name, mod in m.named_modules()})
    sink = Sink()
    return StepContext(run, step, sink), sink


# -- loss_output_mismatch --------------------------------------------------------------
def test_softmax_before_cross_entropy_is_flagged_and_logits_are_not() -> None:
    torch.manual_seed(0)
    logits, y = torch.randn(32, 10), torch.randint(0, 10, (32,))
    bad = run_of([loss_input_record("cross_entropy", logits.softmax(1), y)])
    good = run_of([loss_input_record("cross_entropy", logits, y), loss_input_record("cross_entropy", logits.log_softmax(1), y)])
    assert categories(loss_output_mismatch.normalised_twice.fn(bad)) == [("loss_output_mismatch", "error")]
    assert loss_output_mismatch.normalised_twice.fn(good) == []


def test_sigmoid_before_bce_with_logits_and_nll_on_logits() -> None:
    torch.manual_seed(0)
    z, t = torch.randn(64), torch.randint(0, 2, (64,)).float()
    sig = run_of([loss_input_record("binary_cross_entropy_with_logits", z.sigmoid(), t)])
    raw = run_of([loss_input_record("binary_cross_entropy_with_logits", z, t)])
    assert [f.rule for f in loss_output_mismatch.normalised_twice.fn(sig)] == ["loss_output.sigmoid_before_bce_with_logits"]
    assert loss_output_mismatch.normalised_twice.fn(raw) == []
    logits, y = torch.randn(16, 5) * 3, torch.randint(0, 5, (16,))
    nll_raw = run_of([loss_input_record("nll_loss", logits, y)])
    nll_ok = run_of([loss_input_record("nll_loss", logits.log_softmax(1), y)])
    assert [f.rule for f in loss_output_mismatch.normalised_twice.fn(nll_raw)] == ["loss_output.logits_to_nll"]
    assert loss_output_mismatch.normalised_twice.fn(nll_ok) == []


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_broadcast_shapes_flagged_only_when_they_grow() -> None:
    pred, y = torch.randn(16, 1), torch.randn(16)
    assert categories(loss_output_mismatch.broadcast.fn(run_of([loss_input_record("mse_loss", pred, y)]))) == [
        ("loss_output_mismatch", "error")
    ]
    assert loss_output_mismatch.broadcast.fn(run_of([loss_input_record("mse_loss", pred, y[:, None])])) == []


def test_regression_on_class_indices_vs_real_valued_targets() -> None:
    torch.manual_seed(0)
    classes = torch.arange(32) % 10
    assert categories(
        loss_output_mismatch.regression_on_classes.fn(run_of([loss_input_record("mse_loss", torch.randn(32), classes.float())]))
    ) == [("loss_output_mismatch", "warning")]
    real = torch.randn(32) * 50 + 150
    counts_from_one = classes + 1  # ordinal 1..10: not indices starting at 0
    for t in (real, counts_from_one.float(), (classes % 2).float()):
        assert loss_output_mismatch.regression_on_classes.fn(run_of([loss_input_record("mse_loss", torch.randn(32), t)])) == []


# -- label_problem --------------------------------------------------------------------
def labels_record(counts: list[float], weighted: bool = False) -> dict[str, Any]:
    return {"kind": "labels", "counts": counts, "classes": len(counts), "name": "cross_entropy", "weighted": weighted}


def test_identical_and_imbalanced_labels() -> None:
    assert categories(labels.identical.fn(run_of([labels_record([0, 500, 0])]))) == [("label_problem", "error")]
    assert labels.identical.fn(run_of([labels_record([200, 300, 250])])) == []
    assert categories(labels.imbalance.fn(run_of([labels_record([960, 30, 10])]))) == [("label_problem", "warning")]
    assert categories(labels.imbalance.fn(run_of([labels_record([960, 30, 10], weighted=True)]))) == [("label_problem", "info")]
    assert labels.imbalance.fn(run_of([labels_record([600, 300, 100])])) == []


def test_binary_targets_out_of_range_and_crash_on_class_index() -> None:
    t = torch.arange(64) % 4
    bad = run_of([loss_input_record("binary_cross_entropy_with_logits", torch.randn(64), t.float())])
    assert categories(labels.out_of_range.fn(bad)) == [("label_problem", "error")]
    ok = run_of([loss_input_record("binary_cross_entropy_with_logits", torch.randn(64), (t % 2).float())])
    assert labels.out_of_range.fn(ok) == []
    crash = {"kind": "script_error", "step": 3, "type": "IndexError", "message": "Target 10 is out of bounds."}
    assert categories(labels.out_of_range.fn(run_of([loss_input_record("cross_entropy", torch.randn(4, 10), t[:4]), crash]))) == [
        ("label_problem", "error")
    ]


def no_signal_run(late_loss: float, ratio: float, lr: float | None = None) -> RunData:
    """A run whose loss falls to late_loss; ``lr``: the rate held throughout, of a scheduler built on 1e-2."""
    n = 150
    losses = [2.30 - (2.30 - late_loss) * min(i / 50, 1) for i in range(n)]
    tensors = {"kind": "tensors", "names": ["w", "b"], "shapes": [[8, 8], [8]]}
    records: list[dict[str, Any]] = [tensors, labels_record([100.0] * 10)]
    if lr is None:
        return run_of(records, losses, update_ratio=[[ratio, ratio]] * n)
    records.append({"kind": "optimizers", "step": 0, "optimizers": [{"type": "SGD", "groups": [{"lr": lr, "initial_lr": 1e-2}]}]})
    return run_of(records, losses, update_ratio=[[ratio, ratio]] * n, lr=[[lr]] * n)


def test_no_signal_needs_loss_at_prior_and_healthy_updates() -> None:
    assert categories(labels.no_signal.fn(no_signal_run(2.25, 1e-3))) == [("label_problem", "warning")]
    assert labels.no_signal.fn(no_signal_run(0.5, 1e-3)) == []  # the model learns
    assert labels.no_signal.fn(no_signal_run(2.25, 1e-7)) == []  # lr too low, not the labels
    # a schedule that never brought the rate above 10 % of its configured value explains the stall
    assert labels.no_signal.fn(no_signal_run(2.25, 1e-3, lr=1e-4)) == []
    assert categories(labels.no_signal.fn(no_signal_run(2.25, 1e-3, lr=1e-2))) == [("label_problem", "warning")]


# -- unshuffled_data -----------------------------------------------------------------------
def test_sorted_batches_flagged_shuffled_batches_not() -> None:
    torch.manual_seed(0)
    y = torch.arange(10).repeat_interleave(64)
    entropy = lambda b: float(-(lambda p: (p[p > 0] * p[p > 0].log()).sum())(torch.bincount(b, minlength=10).float() / len(b)))

    def run(order: torch.Tensor) -> RunData:
        batches = [y[order][i : i + 32] for i in range(0, len(y), 32)]
        counts = torch.bincount(y, minlength=10).tolist()
        steps = {"kind": "label_steps", "steps": list(range(len(batches))), "n": [32] * len(batches),
                 "entropy": [entropy(b) for b in batches]}
        return run_of([labels_record(counts), steps], [1.0] * len(batches))

    assert categories(unshuffled_data.unshuffled.fn(run(torch.arange(len(y))))) == [("unshuffled_data", "warning")]
    assert unshuffled_data.unshuffled.fn(run(torch.randperm(len(y)))) == []


def test_random_batch_entropy_is_below_global_for_small_batches() -> None:
    counts = [10.0] * 10
    small = unshuffled_data.random_batch_entropy(counts, 8)
    assert small < math.log(10) - 0.2
    assert unshuffled_data.random_batch_entropy(counts, 10_000) == pytest.approx(math.log(10))


# -- input_scale ----------------------------------------------------------------------------
def input_stats(rms_max: float, median: float, offset: float, std: float) -> dict[str, Any]:
    return {"kind": "input_stats", "step": 0, "module": "0", "module_type": "Linear", "features": 4, "rms": rms_max,
            "feature_rms_max": rms_max, "feature_rms_median": median, "abs_mean_max": offset, "std_max": std}


def test_input_scale_large_tiny_and_unit() -> None:
    rules = lambda *a: [f.rule for f in input_scale.feature_scale.fn(run_of([input_stats(*a)]))]
    assert rules(120.0, 100.0, 90.0, 80.0) == ["input_scale.large"]
    assert rules(4e-4, 3e-4, 1e-4, 3e-4) == ["input_scale.tiny"]
    assert rules(1.5, 1.0, 0.2, 1.0) == []


def test_constant_inputs() -> None:
    stats = input_stats(1.0, 1.0, 0.1, 1.0)
    assert categories(input_scale.constant_features.fn(run_of([stats, {"kind": "input_constant", "fraction": 0.9, "features": 10}]))) == [
        ("input_scale", "warning")
    ]
    assert input_scale.constant_features.fn(run_of([stats, {"kind": "input_constant", "fraction": 0.05, "features": 64}])) == []


def test_target_scale_only_while_the_fit_is_poor() -> None:
    torch.manual_seed(0)
    y = torch.randn(32, 1) * 77 + 150
    rec = loss_input_record("mse_loss", torch.randn(32, 1), y)
    var = float(y.var())
    poor = run_of([rec], [var * 3] * 5 + [var * 0.9] * 20)
    good = run_of([rec], [var * 3] * 5 + [var * 0.45] * 20)
    assert categories(input_scale.target_scale.fn(poor)) == [("input_scale", "warning")]
    assert input_scale.target_scale.fn(good) == []


# -- wrong_mode -------------------------------------------------------------------------------
def test_eval_mode_during_training_and_train_mode_during_eval() -> None:
    assert categories(wrong_mode.eval_during_training.fn(run_of([], eval_mode_modules=[0] * 20 + [4] * 80))) == [("wrong_mode", "warning")]
    assert wrong_mode.eval_during_training.fn(run_of([], eval_mode_modules=[0] * 100)) == []
    checked = [0] * 9 + [3]
    assert categories(
        wrong_mode.train_during_eval.fn(run_of([], eval_calls_checked=checked, eval_calls_train_mode=checked))
    ) == [("wrong_mode", "warning")]
    assert wrong_mode.train_during_eval.fn(run_of([], eval_calls_checked=checked, eval_calls_train_mode=[0] * 10)) == []


# -- over_regularization -----------------------------------------------------------------------
def test_weight_decay_shrinking_weights_with_stalled_loss() -> None:
    n = 50
    tensors = {"kind": "tensors", "names": ["w"], "shapes": [[8, 8]]}
    opts = {"kind": "optimizers", "optimizers": [{"type": "SGD", "groups": [{"lr": 0.1, "weight_decay": 0.5}]}]}
    shrinking = [[10 * 0.9**i] for i in range(n)]
    found = over_regularization.weight_decay.fn(run_of([tensors, opts], [2.3] * n, param_norms=shrinking))
    assert categories(found) == [("over_regularization", "warning")]
    assert over_regularization.weight_decay.fn(run_of([tensors, opts], [2.3] * n, param_norms=[[10.0]] * n)) == []


def test_weights_collapsing_without_weight_decay_is_a_penalty_in_the_loss() -> None:
    n = 50
    tensors = {"kind": "tensors", "names": ["w"], "shapes": [[8, 8]]}
    plain = {"kind": "optimizers", "optimizers": [{"type": "SGD", "groups": [{"lr": 0.1, "weight_decay": 0.0}]}]}
    collapsing = [[10 * 0.8**i] for i in range(n)]  # ends at ~1e-4 of its start
    found = over_regularization.weights_collapse.fn(run_of([tensors, plain], [2.3] * n, param_norms=collapsing))
    assert categories(found) == [("over_regularization", "warning")]
    # a linear model settling at a small optimum (measured: 0.06-0.13 of its start) is not a collapse
    settling = [[10 * max(0.95**i, 0.06)] for i in range(n)]
    assert over_regularization.weights_collapse.fn(run_of([tensors, plain], [2.3] * n, param_norms=settling)) == []
    # with optimizer weight decay the weight_decay rule speaks, not this one
    decayed = {"kind": "optimizers", "optimizers": [{"type": "SGD", "groups": [{"lr": 0.1, "weight_decay": 0.5}]}]}
    assert over_regularization.weights_collapse.fn(run_of([tensors, decayed], [2.3] * n, param_norms=collapsing)) == []


def test_clipping_far_below_gradient_norm() -> None:
    n = 40
    heavy = run_of([], [1.0] * n, clip_total_norm=[5.0] * n, clip_max_norm=[1e-3] * n)
    sane = run_of([], [1.0] * n, clip_total_norm=[0.5] * (n - 4) + [3.0] * 4, clip_max_norm=[1.0] * n)
    assert categories(over_regularization.clipping.fn(heavy)) == [("over_regularization", "warning")]
    assert over_regularization.clipping.fn(sane) == []


def test_heavy_dropout_is_a_warning_only_when_the_loss_stalls() -> None:
    modes = {"kind": "mode_modules", "modules": [{"module": "drop", "kind": "Dropout", "p": 0.9}]}
    assert categories(over_regularization.dropout.fn(run_of([modes], [1.6] * 20))) == [("over_regularization", "warning")]
    assert categories(over_regularization.dropout.fn(run_of([modes], [1.6] * 5 + [0.2] * 15))) == [("over_regularization", "info")]
    light = {"kind": "mode_modules", "modules": [{"module": "drop", "kind": "Dropout", "p": 0.5}]}
    assert over_regularization.dropout.fn(run_of([light], [1.6] * 20)) == []


# -- probes ---------------------------------------------------------------------------------------
def test_label_probe_tells_made_targets_from_data() -> None:
    probe = LabelProbe()
    x = torch.randn(4, 1)
    for step in range(4):
        ctx, sink = ctx_for([], step=step)
        probe.on_loss_call(ctx, call("binary_cross_entropy_with_logits", x, torch.ones(4, 1)))
        if step % 2 == 0:  # discriminator step: real ones, then fake zeros
            probe.on_loss_call(ctx, call("binary_cross_entropy_with_logits", x, torch.zeros(4, 1)))
        probe.after_step(ctx)
    probe.finish(ctx.run, sink)
    assert sink[-1]["steps"] == 4 and float(sink[-1]["made_steps"]) == 2


def test_label_probe_counts_on_device_and_ignores_eval_calls() -> None:
    probe = LabelProbe()
    ctx, sink = ctx_for([])
    x = torch.randn(6, 3)
    probe.on_loss_call(ctx, call("cross_entropy", x, torch.tensor([0, 0, 1, 2, 2, -100]), ignore_index=-100))
    probe.on_loss_call(ctx, call("cross_entropy", x, torch.tensor([1, 1, 1, 1, 1, 1]), training=False))
    probe.after_step(ctx)
    probe.finish(ctx.run, sink)
    (block,) = [r for r in sink if r["kind"] == "label_steps"]
    assert block["steps"] == [0] and block["n"] == [6] and block["hist"].tolist() == [[2, 1, 2]]
    assert block["entropy"].tolist() == pytest.approx([-(2 * 0.4 * math.log(0.4) + 0.2 * math.log(0.2))], rel=1e-5)
    assert sink[-1]["counts"].tolist() == [2, 1, 2]


@pytest.mark.parametrize("pattern", [([7], [3, 4], [9], [1], [2, 2, 2]), ([8],)], ids=["mixed", "equal"])
def test_label_probe_counts_blocks_of_steps_like_step_by_step(pattern: tuple[list[int], ...]) -> None:
    """Steps counted together (one histc per block) give each step its own histogram, whatever
    the block boundaries, batch sizes and the number of calls per step."""
    torch.manual_seed(0)
    probe = LabelProbe()
    batches = [[torch.randint(0, 5, (n,)) for n in sizes] for sizes in pattern * (75 // len(pattern))]
    sink: list[dict[str, Any]] = []
    for step, calls in enumerate(batches):
        ctx, step_sink = ctx_for([], step=step)
        for y in calls:
            probe.on_loss_call(ctx, call("cross_entropy", torch.randn(len(y), 5), y))
        probe.after_step(ctx)
        sink += step_sink
    probe.finish(ctx.run, sink.append)
    blocks = [r for r in sink if r["kind"] == "label_steps"]
    assert len(blocks) == 3  # 32 + 32 + the rest at the end
    hists = [row for b in blocks for row in b["hist"].tolist()]
    assert [s for b in blocks for s in b["steps"]] == list(range(len(batches)))
    assert hists == [torch.bincount(torch.cat(calls), minlength=5).float().tolist() for calls in batches]
    assert [n for b in blocks for n in b["n"]] == [sum(len(y) for y in calls) for calls in batches]
    assert sink[-1]["counts"].tolist() == torch.tensor(hists).sum(0).tolist() and sink[-1]["steps"] == len(batches)


def test_input_probe_measures_first_weighted_layer_per_channel() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    x = torch.randn(8, 3, 6, 6) * torch.tensor([1.0, 1.0, 100.0]).view(1, 3, 1, 1)
    model(x)
    probe = InputScaleProbe()
    ctx, sink = ctx_for([model])
    for module in model:
        probe.on_forward(ctx, module, (x,), None)
    assert len(sink) == 1 and sink[0]["module"] == "0" and sink[0]["features"] == 3
    assert 50 < float(sink[0]["feature_rms_max"]) < 200 and float(sink[0]["feature_rms_median"]) < 2


def test_input_probe_skips_models_that_normalise_first() -> None:
    model = nn.Sequential(nn.BatchNorm1d(4), nn.Linear(4, 2))
    probe = InputScaleProbe()
    ctx, sink = ctx_for([model])
    for module in model:
        probe.on_forward(ctx, module, (torch.randn(8, 4) * 1000,), None)
    assert sink == []


def test_mode_probe_ignores_frozen_parts_and_sees_eval_losses() -> None:
    backbone = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    for p in backbone.parameters():
        p.requires_grad_(False)
    model = nn.Sequential(backbone, nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.2), nn.Linear(4, 2))
    assert sorted(n for n, _, _ in mode_sensitive_modules(model)) == ["0.1", "2", "3"]
    probe = ModuleModeProbe()
    ctx, sink = ctx_for([model])
    probe.setup(ctx.run)
    model.eval()
    probe.before_backward(ctx)
    assert ctx.record_data["eval_mode_modules"] == 0  # no module ran in a training forward
    for module in model.modules():  # a training forward, as the session reports it
        probe.on_forward(ctx, module, (), None)
    probe.before_backward(ctx)
    assert ctx.record_data["eval_mode_modules"] == 2
    model.train()
    with torch.no_grad():
        probe.on_loss_call(ctx, call("cross_entropy", model(torch.randn(4, 4)), torch.tensor([0, 1, 0, 1]), training=False))
    probe.after_step(ctx)
    assert ctx.record_data["eval_calls_train_mode"] == 1


def test_loss_input_probe_looks_again_later_in_training() -> None:
    from traindebug.probes.loss_inputs import LossInputProbe

    probe = LossInputProbe()
    x, t = torch.randn(8, 1), torch.ones(8, 1)
    steps = []
    for step in range(60):
        ctx, sink = ctx_for([], step=step)
        for _ in range(2):
            probe.on_loss_call(ctx, call("binary_cross_entropy_with_logits", x, t))
        steps += [r["step"] for r in sink]
    assert steps == [0, 0, 1, 10, 50]


def test_small_fresh_logits_are_not_mistaken_for_sigmoid_outputs_once_training_moved_them() -> None:
    t = torch.randint(0, 2, (64,)).float()
    early = [{**loss_input_record("binary_cross_entropy_with_logits", torch.rand(64) * 0.4 + 0.1, t), "step": s} for s in (0, 1)]
    later = {**loss_input_record("binary_cross_entropy_with_logits", torch.randn(64) * 3, t), "step": 50}
    assert loss_output_mismatch.normalised_twice.fn(run_of(early + [later])) == []
    assert loss_output_mismatch.normalised_twice.fn(run_of(early)) != []


def test_no_signal_skips_targets_made_per_call() -> None:
    run = no_signal_run(2.25, 1e-3)
    gan = run_of([*run.records("tensors"), {**labels_record([100.0] * 10), "steps": 150, "made_steps": 75}],
                 [s["loss"] for s in run.steps], update_ratio=[s["update_ratio"] for s in run.steps])
    assert labels.no_signal.fn(gan) == []


def test_heavy_dropout_at_chance_level_counts_as_stalled_even_if_the_loss_fell() -> None:
    modes = {"kind": "mode_modules", "modules": [{"module": "drop", "kind": "Dropout", "p": 0.9}]}
    chance = {"kind": "loss_fn", "name": "cross_entropy", "classes": 5, "chance_loss": math.log(5)}
    assert categories(over_regularization.dropout.fn(run_of([modes, chance], [2.7] * 3 + [1.61] * 20))) == [
        ("over_regularization", "warning")
    ]


def test_bce_on_logits_crash_is_a_loss_output_mismatch() -> None:
    crash = {"kind": "script_error", "step": 0, "type": "RuntimeError", "message": "all elements of input should be between 0 and 1"}
    assert categories(loss_output_mismatch.logits_to_bce.fn(run_of([crash]))) == [("loss_output_mismatch", "error")]
    other = {**crash, "message": "mat1 and mat2 shapes cannot be multiplied"}
    assert loss_output_mismatch.logits_to_bce.fn(run_of([other])) == []


def test_imbalance_is_not_judged_on_per_token_labels() -> None:
    assert labels.imbalance.fn(run_of([{**labels_record([960, 30, 10]), "dense": True}])) == []


def test_label_probe_marks_per_token_labels_as_dense() -> None:
    from traindebug.probes.base import Batch

    probe = LabelProbe()
    ctx, sink = ctx_for([])
    tokens = torch.randint(0, 5, (4, 7))
    ctx.batch = Batch(nn.Identity(), (tokens,), {}, None)
    probe.on_loss_call(ctx, call("cross_entropy", torch.randn(28, 5), tokens.reshape(-1)))
    probe.after_step(ctx)
    probe.finish(ctx.run, sink)
    assert sink[-1]["dense"] is True


def test_prior_loss_follows_class_weights_and_combined_losses_silence_no_signal() -> None:
    """With class weights the label-frequency baseline is the weighted loss of the best
    constant prediction; a loss summed over several loss calls has no single baseline."""
    weighted = {**labels_record([950.0, 50.0], weighted=True), "class_weights": [0.53, 9.5], "weights_normalise": True}
    assert labels.prior_loss(run_of([weighted])) == pytest.approx(-(0.515 * math.log(0.515) + 0.485 * math.log(0.485)), abs=2e-3)
    pos = {**labels_record([900.0, 100.0], weighted=True), "class_weights": [1.0, 9.0], "weights_normalise": False}
    assert labels.prior_loss(run_of([pos])) == pytest.approx(1.8 * math.log(2))  # p = 0.5 is best: (900 + 9 * 100) ln 2 / 1000
    assert labels.prior_loss(run_of([labels_record([950.0, 50.0])])) == pytest.approx(labels.label_entropy([950.0, 50.0]))
    run = no_signal_run(2.25, 1e-3)
    combined = run_of([*run.records("tensors"), {**labels_record([100.0] * 10), "steps": 150, "combined_steps": 150}],
                      run.floats("loss")[1], update_ratio=[[1e-3, 1e-3]] * 150)
    assert labels.no_signal.fn(combined) == []


def test_label_probe_records_class_weights_and_combined_steps() -> None:
    from traindebug.probes.labels import LabelProbe

    probe = LabelProbe()
    emitted: list[dict[str, Any]] = []
    x, t = torch.randn(8, 3), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    weight = torch.tensor([1.0, 2.0, 3.0])
    for step in range(4):
        ctx, _ = ctx_for([], step=step)
        probe.on_loss_call(ctx, call("cross_entropy", x, t, weight=weight))
        if step % 2:
            probe.on_loss_call(ctx, call("cross_entropy", x, t, weight=weight))  # a second head
        probe.on_loss_call(ctx, call("mse_loss", x, torch.zeros(8, 3)))  # an auxiliary regression term
        probe.before_backward(ctx)
        probe.after_step(ctx)
    probe.finish(ctx.run, emitted.append)
    record = next(r for r in emitted if r["kind"] == "labels")
    assert record["combined_steps"] == 2
    assert record["class_weights"].tolist() == [1.0, 2.0, 3.0] and record["weights_normalise"] is True

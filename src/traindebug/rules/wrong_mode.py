"""wrong_mode: training with dropout/batch norm in eval mode, or evaluating in train mode."""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, rule
from traindebug.store import RunData


#: what to do about an evaluation that runs in training mode (both evaluation rules)
EVAL_MODE_SUGGESTION = "Call model.eval() before evaluating (together with torch.no_grad()) and model.train() after."


def _kinds(run: RunData) -> str:
    modules = (run.last("mode_modules") or {}).get("modules", [])
    kinds = sorted({m["kind"] for m in modules})
    return f"{len(modules)} mode-dependent modules ({', '.join(kinds)})" if modules else "the mode-dependent modules"


@rule("mode.eval_during_training", "wrong_mode", needs=("eval_mode_modules",))
def eval_during_training(run: RunData) -> list[Finding]:
    """Gradients flow while dropout/batch-norm modules are in eval mode."""
    steps, counts = run.floats("eval_mode_modules")
    bad = [s for s, c in zip(steps, counts) if c > 0]
    if len(bad) < 3 or len(bad) < T.EVAL_MODE_STEP_FRACTION * len(steps):
        return []
    since = "every step" if len(bad) == len(steps) else f"{len(bad)} of {len(steps)} steps, from step {bad[0]}"
    return [
        Finding(
            rule="mode.eval_during_training",
            category="wrong_mode",
            severity="warning",
            confidence=0.85,
            step=bad[0],
            title="training runs with dropout/batch norm in eval mode",
            observation=(
                f"At the backward pass of {since}, up to {int(max(counts))} of {_kinds(run)} "
                f"were in eval mode (module.training == False) while their model was being trained."
            ),
            hypothesis=(
                "model.eval() was called (for validation, or at the start) and model.train() was not called again "
                "before training resumed: dropout is off and batch norm normalizes with running statistics instead of batch statistics."
            ),
            suggestion="Call model.train() at the start of every training epoch (and model.eval() only around evaluation).",
            evidence={"steps_in_eval_mode": len(bad), "steps": len(steps), "first_step": bad[0]},
            caveat=("Keeping batch norm in eval mode while fine-tuning (frozen statistics) is sometimes deliberate; modules switched to eval mode "
                    "on their own inside a block in training mode, and frozen parts without trainable parameters, are not counted."),
            figures=["loss"],
        )
    ]


@rule("mode.train_during_eval", "wrong_mode", needs=("eval_calls_checked",))
def train_during_eval(run: RunData) -> list[Finding]:
    """Evaluation losses computed while dropout/batch-norm modules are in training mode."""
    _, checked = run.floats("eval_calls_checked")
    _, wrong = run.floats("eval_calls_train_mode")
    total, bad = sum(checked), sum(wrong)
    if bad == 0 or bad < 0.5 * total:
        return []
    return [
        Finding(
            rule="mode.train_during_eval",
            category="wrong_mode",
            severity="warning",
            confidence=0.8,
            step=0,
            title="evaluation runs with dropout/batch norm in training mode",
            observation=(
                f"{int(bad)} of {int(total)} evaluation loss calls (gradients disabled) ran while {_kinds(run)} "
                f"were in training mode."
            ),
            hypothesis=(
                "model.eval() is missing before the evaluation loop: torch.no_grad() does not switch modes, so dropout "
                "still drops units (noisy, pessimistic metrics) and batch norm updates its running statistics with evaluation data."
            ),
            suggestion=EVAL_MODE_SUGGESTION,
            evidence={"eval_calls": total, "eval_calls_in_train_mode": bad},
            caveat="Monte-Carlo dropout at evaluation is deliberate.",
        )
    ]


@rule("mode.train_during_eval_forward", "wrong_mode", needs=("eval_forwards_train_mode",))
def train_during_eval_forward(run: RunData) -> list[Finding]:
    """Forwards with gradients disabled, between some of the training steps and in a run
    without evaluation losses, ran while dropout/batch-norm modules of the one trained model
    were in training mode."""
    if run.has("eval_calls_checked"):
        return []  # an evaluation with a loss function: train_during_eval judges it
    steps, counts = run.floats("eval_forwards_train_mode")
    _, models = run.floats("trained_models")
    all_steps, _ = run.floats("loss")
    # several forwards in a row on one input tensor in training mode are Monte-Carlo dropout's
    # samples of one prediction: deliberate
    sampled = {s for s, r in zip(*run.floats("eval_forward_repeats")) if r >= T.MC_DROPOUT_PASSES}
    bad = [s for s, c in zip(steps, counts) if c > 0 and s not in sampled]
    # on most steps a forward without gradients is a teacher's or a sampler's, unless it takes the
    # training forward's own inputs again: full-batch training evaluated after every step
    same_inputs = len(run.floats("eval_forward_same_inputs")[0])
    every_step = len(bad) > T.EVAL_FORWARD_MAX_FRACTION * max(1, len(all_steps)) and same_inputs < len(bad) / 2
    if len(bad) < 2 or max(models) > 1 or every_step:
        return []
    return [
        Finding(
            rule="mode.train_during_eval_forward",
            category="wrong_mode",
            severity="warning",
            confidence=0.7,
            step=bad[0],
            title="evaluation forwards run with dropout/batch norm in training mode",
            observation=(
                f"Between {len(bad)} of {len(all_steps)} training steps, from step {bad[0]}, the model ran forward with "
                f"gradients disabled while up to {int(max(counts))} of {_kinds(run)} were in training mode."
            ),
            hypothesis=(
                "An evaluation (accuracy, predictions) runs under torch.no_grad() without model.eval(): torch.no_grad() does "
                "not switch modes, so dropout still drops units (noisy, pessimistic metrics) and batch norm normalizes with the "
                "evaluation batch's statistics and updates its running statistics with evaluation data."
            ),
            suggestion=EVAL_MODE_SUGGESTION,
            evidence={"steps_with_train_mode_eval": len(bad), "steps": len(all_steps), "first_step": bad[0]},
            caveat=(
                "Forwards without gradients on a minority of steps are read as evaluation; Monte-Carlo dropout, or "
                "recomputing batch-norm statistics (SWA's update_bn), runs in training mode on purpose."
            ),
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [eval_during_training, train_during_eval, train_during_eval_forward]

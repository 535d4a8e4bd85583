"""overfitting: the held-out loss rises from its minimum while the training loss keeps falling."""

from __future__ import annotations

from collections import Counter

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.store import RunData, to_float


def _train_loss_near(run: RunData, step: int, window: int) -> float:
    """Median training loss of the ``window`` steps up to ``step``."""
    steps, losses = run.floats("loss")
    return median([v for s, v in zip(steps, losses) if step - window < s <= step])


def _streams(run: RunData) -> list[tuple[str, list[tuple[int, float]]]]:
    """(label, [(step, loss)]) of each evaluation stream: the mean evaluation loss of each step,
    and, where the steps with several evaluation losses mostly had the same number k of them,
    the i-th of those k losses (a training-set and a validation-set evaluation one after the other)."""
    steps, evals = run.floats("eval_loss")
    streams = [("", [(s, v) for s, v in zip(steps, evals) if v == v])]
    steps, rows = run.series("eval_losses")
    if rows:
        k = Counter(len(r) for r in rows).most_common(1)[0][0]
        kept = [(s, r) for s, r in zip(steps, rows) if len(r) == k]
        for i in range(k):
            values = [(s, to_float(r[i])) for s, r in kept]
            streams.append((f"loss {i + 1} of the {k} computed in each evaluation",
                            [(s, v) for s, v in values if v == v]))
    return streams


@rule("fit.overfitting", "overfitting", needs=("eval_loss", "loss"))
def overfitting(run: RunData) -> list[Finding]:
    """Evaluation losses (loss calls under no_grad) rise above their minimum by the GL criterion,
    or by a smaller GL that lasts longer than early stopping would have waited; judged on their
    mean and on each of several losses computed in one evaluation, which must rise by the GL
    criterion for longer than early stopping would have waited (the most risen one is reported)."""
    found = [f for label, pairs in _streams(run) for f in _judge(run, pairs, label)]
    return sorted(found, key=lambda f: -f.evidence["generalization_loss"])[:1]


def _judge(run: RunData, pairs: list[tuple[int, float]], label: str) -> list[Finding]:
    """The overfitting finding of one stream of evaluation losses, if its loss rose."""
    if len(pairs) < T.OVERFIT_MIN_EVALS:
        return []
    best_i = min(range(len(pairs)), key=lambda i: pairs[i][1])
    best_step, best = pairs[best_i]
    tail = [v for _, v in pairs[-max(2, len(pairs) // 5) :]]
    if best_i >= len(pairs) - len(tail) or best <= 0:
        return []
    final = median(tail)
    gl = final / best - 1
    after = len(pairs) - 1 - best_i
    sustained = after > T.EARLY_STOP_PATIENCE_MAX
    if label:  # one of several losses per evaluation may be one batch of a loader: noisier, so both
        if gl <= T.OVERFIT_GENERALIZATION_LOSS or not sustained:
            return []
    elif gl <= T.OVERFIT_GENERALIZATION_LOSS and not (sustained and gl > T.OVERFIT_SUSTAINED_GL):
        return []
    window = max(1, (pairs[-1][0] - pairs[0][0]) // max(1, len(pairs) - 1))
    train_at_best = _train_loss_near(run, best_step, window)
    train_late = _train_loss_near(run, pairs[-1][0], window)
    if not train_late < train_at_best:
        return []
    # the script ended by itself a few evaluations after the minimum: what early stopping does
    stopped = (run.end or {}).get("status") == "completed" and after <= T.EARLY_STOP_PATIENCE_MAX and 2 * after < len(pairs)
    return [
        Finding(
            rule="fit.overfitting",
            category="overfitting",
            severity="info" if stopped else "warning",
            confidence=0.4 if stopped else 0.75,
            step=best_step,
            title=f"held-out loss rose {100 * gl:.0f} % above its minimum while training loss kept falling",
            observation=(
                f"Losses computed with gradients disabled (evaluation{', ' + label if label else ''}) reached their minimum {fmt(best)} at step {best_step} "
                f"and ended at {fmt(final)} (median of the last {len(tail)} evaluations, +{100 * gl:.0f} %), while the "
                f"training loss fell from {fmt(train_at_best)} to {fmt(train_late)} over the same stretch."
            ),
            hypothesis=(
                f"The script stopped by itself {after} evaluations after the minimum, as early stopping does; if it "
                "keeps or restores the weights of the best evaluation, the overfitting was caught."
                if stopped else
                "The model memorizes the training set: too much capacity or too many steps for the amount of training "
                "data, and too little regularization."
            ),
            suggestion=(
                "Stop at the evaluation minimum (early stopping), add data or augmentation, add weight decay or dropout, "
                "or use a smaller model."
            ),
            evidence={"best_eval_loss": best, "best_step": best_step, "final_eval_loss": final, "evals_after_best": after,
                      "generalization_loss": gl, "train_loss_at_best": train_at_best, "train_loss_late": train_late},
            caveat="Any loss computed under torch.no_grad() is taken as evaluation; if the script evaluates on training data, this is not a held-out loss.",
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [overfitting]

"""lr_too_high: steps so large that the loss rises or explodes."""

from __future__ import annotations

import math

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, matrix_tensors, median, per_tensor, rule
from traindebug.store import RunData, to_float


def loss_trend(run: RunData) -> dict[str, float] | None:
    """Initial, minimum and late loss, and the step where it stopped being finite."""
    steps, losses = run.floats("loss")
    if len(losses) < T.MIN_STEPS_FOR_TREND:
        return None
    first_bad = next((s for s, v in zip(steps, losses) if not math.isfinite(v)), None)
    finite = [v for v in losses if math.isfinite(v)]
    if len(finite) < 3:
        return {"initial": math.nan, "late": math.nan, "minimum": math.nan, "non_finite_step": first_bad or 0}
    late = finite[-max(3, len(finite) // 5) :]
    return {
        "initial": finite[0],
        "late": median(late),
        "minimum": min(finite),
        "non_finite_step": -1 if first_bad is None else first_bad,
    }


def not_improving(run: RunData) -> tuple[bool, str]:
    """(the loss stalled, a sentence about it).

    Stalled: the late loss stayed above LOSS_NOT_IMPROVING_FRACTION of its start, or, for
    classification, near the chance level ln(C) (LABEL_NO_SIGNAL_LOSS_FRACTION of it).
    """
    trend = loss_trend(run)
    if trend is None:
        return False, ""
    chance = to_float((run.last("loss_fn") or {}).get("chance_loss"))
    at_chance = chance > 0 and trend["late"] >= T.LABEL_NO_SIGNAL_LOSS_FRACTION * chance
    stuck = at_chance or trend["late"] >= T.LOSS_NOT_IMPROVING_FRACTION * trend["initial"]
    text = f"the loss went from {fmt(trend['initial'])} to {fmt(trend['late'])} (late median)"
    return stuck, text + (f", chance level is {fmt(chance)}" if chance > 0 else "")


def update_ratios(run: RunData) -> tuple[list[int], list[float]]:
    """(steps, median update-to-weight ratio of the weight matrices the step changed).

    Tensors a step leaves untouched (frozen, outside every optimizer, the other network of
    a GAN) are left out of that step: they would drag the median to 0; so are tensors whose
    norm was 0 before the step (zero-initialised). A step that changed no weight matrix gets nan.
    """
    steps, rows = per_tensor(run, "update_ratio")
    _, weights = per_tensor(run, "param_norms")
    idx = matrix_tensors(run)
    out = []
    for k, row in enumerate(rows):
        # a ratio to a weight of norm 0 (a zero-initialised layer's first step) is undefined
        sized = weights[k] if k < len(weights) and len(weights[k]) == len(row) else [1.0] * len(row)
        # vectors (biases, norm scales) only in a model without weight matrices: a bias that
        # started at 0 moves by a large fraction of its tiny norm in every early step
        candidates = [i for i in idx if i < len(row)] if idx else range(len(row))
        moved = [row[i] for i in candidates if row[i] > 0 and sized[i] > 0]
        out.append(median(moved))
    return steps, out


def early_update_ratio(run: RunData) -> float:
    """Median over the first 10 steps of the median update ratio of weight matrices."""
    return median(update_ratios(run)[1][:10])


#: the first steps, where a step size too large for the initial curvature throws the loss up
SPIKE_STEPS = 10
#: steps before a non-finite loss in which a diverging run's loss has risen above its initial
#: value (own choice: a divergence takes a few steps of growth, an overflowing log or 0/0 none)
DIVERGENCE_LEAD = 3


def early_spike(run: RunData) -> float:
    """Highest loss of steps 1..SPIKE_STEPS over the loss of step 0 (nan if not positive, or if
    the loss goes below 0 anywhere: a likelihood with a learned variance has no zero to measure
    a factor from, its value moves by an arbitrary constant)."""
    _, losses = run.floats("loss")
    early = [v for v in losses[1 : SPIKE_STEPS + 1] if math.isfinite(v)]
    if not early or not losses[0] > 0 or min(v for v in losses if math.isfinite(v)) < 0:
        return math.nan
    return max(early) / losses[0]


def spike_update_ratio(run: RunData) -> float:
    """Median update ratio of the steps before the highest loss of steps 1..SPIKE_STEPS: the
    steps that threw the loss up. An adaptive optimizer's (RMSprop's, Adam's) second moment
    swells with the spike's gradients and makes the following steps tiny, which would hide
    them in the median of the first 10 steps."""
    steps, losses = run.floats("loss")
    early = [(v, s) for s, v in zip(steps[1 : SPIKE_STEPS + 1], losses[1 : SPIKE_STEPS + 1]) if math.isfinite(v)]
    if not early:
        return math.nan
    peak = max(early)[1]
    ratio_steps, ratios = update_ratios(run)
    return median([r for s, r in zip(ratio_steps, ratios) if s < peak])


def _rose_before(run: RunData, initial: float) -> bool:
    """Whether the loss rose above its initial value in the last steps before it turned
    non-finite. A loss that was falling until one step turned it NaN (a log of 0, a division by
    0) went non-finite by arithmetic, not by diverging steps."""
    _, losses = run.floats("loss")
    before = []
    for value in losses:
        if not math.isfinite(value):
            break
        before.append(value)
    return not before or max(before[-DIVERGENCE_LEAD:]) > initial


@rule("lr.diverging", "lr_too_high", needs=("loss", "update_ratio"))
def diverging(run: RunData) -> list[Finding]:
    """Loss rises, jumps in the first steps or turns non-finite while the update-to-weight ratio is large."""
    trend = loss_trend(run)
    if trend is None:
        return []
    ratio = early_update_ratio(run)
    rising = trend["late"] > T.LOSS_DIVERGENCE_FACTOR * trend["initial"]
    exploded = trend["non_finite_step"] >= 0 and _rose_before(run, trend["initial"])
    # no progress: little below the initial loss, or (classification) no better than predicting
    # the label frequencies, which the first step may already have reached
    from traindebug.rules.labels import loss_against_prior  # labels.py builds on this module

    judged = loss_against_prior(run)
    prior = judged[1] if judged else math.nan
    stuck = (trend["late"] > T.LOSS_NO_PROGRESS_FRACTION * trend["initial"]
             or trend["late"] >= T.LABEL_NO_SIGNAL_LOSS_FRACTION * prior)
    spike = early_spike(run)
    jumped = spike > T.LOSS_SPIKE_FACTOR
    when = "In the first 10 steps"
    if jumped and not ratio > T.UPDATE_RATIO_HIGH:
        ratio, when = spike_update_ratio(run), "In the steps before the jump"
    if not (rising or exploded or stuck or jumped) or not ratio > T.UPDATE_RATIO_HIGH:
        return []
    lrs = run.series("lr")[1]
    lr = lrs[0][0] if lrs and lrs[0] else None
    if exploded:
        what = f"the loss became non-finite at step {int(trend['non_finite_step'])}"
    elif rising:
        what = f"the loss rose from {fmt(trend['initial'])} to {fmt(trend['late'])} (late median)"
    elif stuck:
        what = f"the loss made no progress: {fmt(trend['initial'])} at the start, {fmt(trend['late'])} late in the run" + (
            f" (predicting the label frequencies gives {fmt(prior)})" if math.isfinite(prior) else "")
    else:
        what = (f"the loss rose to {fmt(spike)}x its initial value {fmt(trend['initial'])} within the first "
                f"{SPIKE_STEPS} steps (it was {fmt(trend['late'])} late in the run)")
    return [
        Finding(
            rule="lr.diverging",
            category="lr_too_high",
            severity="error" if exploded else "warning",
            confidence=0.8,
            step=0,
            title="steps are too large: the loss " + ("diverges" if exploded or rising else "does not improve" if stuck else "jumps in the first steps"),
            observation=(
                f"Over the run {what}. {when} each update changed the weight matrices by "
                f"{fmt(ratio)} of their norm (median update-to-weight ratio; about 1e-3 is typical, "
                f"above {T.UPDATE_RATIO_HIGH:g} the step is a large fraction of the weight itself)"
                + (f"; the learning rate was {lr:g}." if isinstance(lr, (int, float)) else ".")
            ),
            hypothesis="The learning rate is too high for this model and loss: each step overshoots the minimum along the sharpest directions.",
            suggestion=(
                "Lower the learning rate by 3-10x (or run `traindebug lr-find` and train at half the divergent rate); "
                "a warm-up or gradient clipping also helps if the problem is only in the first steps."
            ),
            evidence={"initial_loss": trend["initial"], "late_loss": trend["late"], "early_spike": spike, "update_ratio": ratio, "lr": lr},
            caveat="A rising loss also follows from gradients that are wrong or accumulate (see other findings); the update ratio is what points at the step size.",
            figures=["loss", "update_ratio"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [diverging]

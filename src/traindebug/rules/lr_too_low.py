"""lr_too_low: steps too small to make progress, a schedule that decays to ~0 early, or
one that never brings the rate near the configured value (a warmup longer than the run)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, late_quarters, matrix_tensors, median, per_tensor, rule
from traindebug.rules.learning_rate import loss_trend, not_improving, update_ratios
from traindebug.schedule import PER_TENSOR
from traindebug.store import RunData


def loss_progress(initial: float, late: float) -> float:
    """How far the loss fell, as a fraction of its initial value (negative: it rose)."""
    if not (math.isfinite(initial) and math.isfinite(late)) or initial == 0:
        return math.nan
    return (initial - late) / abs(initial)


def grad_to_weight(run: RunData) -> float:
    """Median over steps of the median gradient-to-weight norm ratio of the weight matrices.

    With a healthy gradient this is what one SGD step of learning rate 1 would change;
    a small update ratio with a healthy gradient-to-weight ratio points at the step size.
    """
    idx = matrix_tensors(run)
    _, grads = per_tensor(run, "grad_norms")
    _, weights = per_tensor(run, "param_norms")
    per_step = [
        median([g[i] / w[i] for i in idx if i < min(len(g), len(w)) and w[i] > 0])
        for g, w in zip(grads, weights)
    ]
    return median(per_step)


@rule("lr.steps_too_small", "lr_too_low", needs=("loss", "update_ratio", "grad_norms", "param_norms"))
def steps_too_small(run: RunData) -> list[Finding]:
    """Healthy gradients, tiny updates, and a loss that does not move.

    The bar for "tiny" is HEALTHY_UPDATE_RATIO (1e-4), a decade above taxonomy.md's ~1e-5:
    with Adam the ratio is about lr / rms(W), so lr = 1e-6 on a 512-wide layer gives 4e-5.
    The flat loss and the healthy gradient-to-weight ratio guard the looser bar. Below
    UPDATE_RATIO_LOW the weights hardly move at all, so "flat" allows more minibatch noise.
    """
    trend = loss_trend(run)
    if trend is None or trend["non_finite_step"] >= 0:
        return []
    _, ratios = update_ratios(run)
    ratio = median(ratios)
    progress = loss_progress(trend["initial"], trend["late"])
    gradient = grad_to_weight(run)
    flat = T.LR_LOW_TINY_STEP_PROGRESS if ratio < T.UPDATE_RATIO_LOW else T.LR_LOW_LOSS_PROGRESS
    if not (0 < ratio < T.HEALTHY_UPDATE_RATIO and progress < flat and gradient > T.LR_LOW_HEALTHY_GRAD_RATIO):
        return []
    lrs = run.series("lr")[1]
    lr = lrs[0][0] if lrs and lrs[0] else None
    return [
        Finding(
            rule="lr.steps_too_small",
            category="lr_too_low",
            severity="warning",
            confidence=0.8,
            step=0,
            title=f"updates are {fmt(ratio)} of the weights: too small to make progress",
            observation=(
                f"The median update-to-weight ratio of the weight matrices was {fmt(ratio)} per step "
                f"(below {T.HEALTHY_UPDATE_RATIO:g}; about 1e-3 is typical) while the gradients were healthy "
                f"(gradient-to-weight norm ratio {fmt(gradient)}). "
                f"Over {len(run.steps)} steps the loss went from {fmt(trend['initial'])} to {fmt(trend['late'])} "
                f"(late median), a change of {fmt(100 * progress)} %"
                + (f"; the learning rate was {lr:g}." if isinstance(lr, (int, float)) else ".")
            ),
            hypothesis="The learning rate is far too small for this model and optimizer: each step barely moves the weights.",
            suggestion=(
                "Raise the learning rate by 10-100x (run `traindebug lr-find` to pick one); typical starting points are "
                "1e-3 for Adam and 1e-2 to 1e-1 for SGD with momentum."
            ),
            evidence={"update_ratio": ratio, "grad_to_weight": gradient, "initial_loss": trend["initial"], "late_loss": trend["late"], "lr": lr},
            caveat="A loss that is flat because it already converged also has tiny updates; here it barely moved from its first value.",
            figures=["loss", "update_ratio"],
        )
    ]


@rule("lr.steps_aligned", "lr_too_low", needs=("loss", "step_alignment", "grad_norms", "param_norms"))
def steps_aligned(run: RunData) -> list[Finding]:
    """Nearly every gradient taken after an update still points along it (the loss kept falling in
    the direction of each step: a longer step would have gone further), the gradients are healthy,
    and the loss has not come down to half its start. Where ``lr.steps_too_small`` has nothing to
    say: updates that are not tiny, but too short for this loss."""
    if steps_too_small.fn(run):
        return []
    trend = loss_trend(run)
    _, values = run.floats("step_alignment")
    values = [v for v in values if math.isfinite(v)]
    if trend is None or trend["non_finite_step"] >= 0 or len(values) < T.LR_LOW_ALIGNED_MIN_PAIRS:
        return []
    aligned = sum(v > 0 for v in values) / len(values)
    progress = loss_progress(trend["initial"], trend["late"])
    gradient = grad_to_weight(run)
    if not (aligned >= T.LR_LOW_ALIGNED_FRACTION and progress < 1 - T.UNDERFIT_LOSS_FRACTION
            and gradient > T.LR_LOW_HEALTHY_GRAD_RATIO):
        return []
    _, ratios = update_ratios(run)
    ratio = median(ratios)
    return [
        Finding(
            rule="lr.steps_aligned",
            category="lr_too_low",
            severity="warning",
            confidence=0.7,
            step=0,
            title=f"{100 * aligned:.0f} % of the steps stopped short: the loss still fell along each update",
            observation=(
                f"On {len(values)} steps after the first {PER_TENSOR.first}, the gradient taken right after an update "
                f"pointed against that update on {100 * aligned:.0f} % of them (median cosine {fmt(median(values))}): the "
                f"loss was still falling in the direction of the last step. The loss went from {fmt(trend['initial'])} "
                f"to {fmt(trend['late'])} (late median), a change of {fmt(100 * progress)} %; the median update-to-weight "
                f"ratio was {fmt(ratio)} and the gradients were healthy (gradient-to-weight ratio {fmt(gradient)})."
            ),
            hypothesis=(
                "The learning rate is too small for this loss: each step ends where a longer one would still have gone "
                "downhill (the sign of this gradient-update product is the derivative of the loss with respect to the "
                "learning rate, the signal hypergradient descent follows). Healthy runs overshoot the valley floor on "
                "about half of their steps."
            ),
            suggestion="Raise the learning rate by 3-10x (or run `traindebug lr-find`) and compare the first hundred steps.",
            evidence={"aligned_fraction": aligned, "pairs": len(values), "median_alignment": median(values),
                      "loss_progress": progress, "update_ratio": ratio, "grad_to_weight": gradient},
            caveat=(
                "A run with a nearly deterministic gradient (full batches) that descends a long smooth slope is aligned "
                "at any stable rate; then a larger rate is still worth a try, but it may not be the fault."
            ),
            figures=["loss", "update_ratio"],
        )
    ]


def _segments(rows: list[list[float]]) -> list[tuple[int, int, int]]:
    """(first row, end row, first new group) of each stretch of rows with the same number of
    groups: an optimizer built later (a fresh model per fold of a k-fold loop) adds groups, and
    from then on the rows also carry the old optimizer's groups, left wherever they ended."""
    segments: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or len(rows[i]) != len(rows[start]):
            segments.append((start, i, len(rows[segments[-1][0]]) if segments else 0))
            start = i
    return segments


def _decayed_rows(rows: list[list[float]], first_group: int) -> list[bool] | None:
    """Per row, whether every group from ``first_group`` on is below LR_DECAYED_FRACTION of its peak."""
    groups = range(first_group, len(rows[0]))
    peaks = {g: max(r[g] for r in rows) for g in groups}
    if not any(p > 0 for p in peaks.values()):
        return None
    return [all(r[g] < T.LR_DECAYED_FRACTION * peaks[g] for g in groups if peaks[g] > 0) for r in rows]


@dataclass
class DecayTail:
    """Where the learning rate stayed at ~0 until the end of an optimizer's stretch of steps."""

    start: int  #: first step of the first ~0 tail
    length: int  #: steps at ~0, all optimizers together
    peak: float  #: highest rate seen
    last: float  #: the rate at the end of the last tail
    final: int  #: length of the run's own final tail (0 if the run did not end at ~0)
    optimizers: int  #: optimizers whose rate ended at ~0


def _decay_tail(run: RunData) -> DecayTail | None:
    """The ~0 tails of the learning rate; with optimizers built one after another (a k-fold loop),
    each optimizer's own groups are judged over its own stretch of steps and the tails added up."""
    steps, rows = run.series("lr")
    kept = [(s, [float(v) for v in row]) for s, row in zip(steps, rows) if isinstance(row, list) and row]
    if len(kept) < T.MIN_STEPS_FOR_TREND:
        return None
    steps, rows = [s for s, _ in kept], [r for _, r in kept]
    tail = DecayTail(start=-1, length=0, peak=0.0, last=0.0, final=0, optimizers=0)
    for begin, end, first_group in _segments(rows):
        decayed = _decayed_rows(rows[begin:end], first_group)
        if decayed is None:
            continue
        start = len(decayed)
        while start > 0 and decayed[start - 1]:
            start -= 1
        tail.peak = max(tail.peak, max(max(r[first_group:]) for r in rows[begin:end]))
        tail.final = len(decayed) - start
        if tail.final:
            tail.start = steps[begin + start] if tail.start < 0 else tail.start
            tail.length += tail.final
            tail.last = max(rows[end - 1][first_group:])
            tail.optimizers += 1
    return tail if tail.optimizers else None


@rule("lr.schedule_decayed_early", "lr_too_low", needs=("lr",))
def schedule_decayed_early(run: RunData) -> list[Finding]:
    """The learning rate fell to ~0 long before the run ended."""
    tail = _decay_tail(run)
    if tail is None:
        return []
    start, length, total = tail.start, tail.length, len(run.steps)
    if length < max(T.MIN_STEPS_FOR_TREND, T.LR_DECAYED_RUN_FRACTION * total):
        return []
    _, losses = run.floats("loss")
    tail_losses = [v for v in losses[-tail.final:] if math.isfinite(v)] if tail.final else []
    moved = loss_progress(tail_losses[0], median(tail_losses[-max(3, len(tail_losses) // 5) :])) if len(tail_losses) > 3 else math.nan
    return [
        Finding(
            rule="lr.schedule_decayed_early",
            category="lr_too_low",
            severity="warning",
            confidence=0.8,
            step=start,
            title=f"the learning rate is ~0 from step {start} on ({length} of {total} steps)",
            observation=(
                f"The learning rate fell from its peak {tail.peak:.3g} to below {T.LR_DECAYED_FRACTION:g}x of it at step {start} "
                + (f"and stayed there for the remaining {length} steps" if tail.optimizers == 1 else
                   f"and stayed there until that optimizer's last step; so did the rate of each of the {tail.optimizers} "
                   f"optimizers built one after another, {length} steps at ~0 in all")
                + f" ({100 * length / total:.0f} % of the run; last value {tail.last:.3g})."
                + (f" Over the last stretch the loss changed by {fmt(100 * moved)} %." if math.isfinite(moved) else "")
            ),
            hypothesis=(
                "The schedule decays much faster than intended: typically a scheduler meant per epoch "
                "(StepLR, ExponentialLR, MultiStepLR) is stepped after every batch, or its step size/decay is set in the wrong unit."
            ),
            suggestion="Call scheduler.step() once per epoch (or convert its step_size/milestones to batches), and plot the learning rate per step.",
            evidence={"decayed_from_step": start, "decayed_steps": length, "steps": total, "peak_lr": tail.peak, "last_lr": tail.last},
            caveat="A schedule that legitimately ends near 0 does so only in the last few steps of training; a run cut short by --max-steps is judged on the steps seen.",
            figures=["loss"],
        )
    ]


def configured_rates(run: RunData) -> list[float]:
    """The rate each param group's scheduler was built on (``initial_lr``), else the rate given to
    its optimizer's constructor (a schedule written by hand sets ``group["lr"]`` itself), groups
    in ``lr`` order; [] if any lacks both."""
    info = run.last("optimizers") or {}
    rates = [g.get("initial_lr", o.get("default_lr")) for o in info.get("optimizers", []) for g in o.get("groups", [])]
    return [float(r) for r in rates] if rates and all(isinstance(r, (int, float)) and r > 0 for r in rates) else []


def still_falling(run: RunData) -> bool:
    """The loss's last-quarter median is at least UNDERFIT_PLATEAU_PROGRESS below the third
    quarter's: the run ended while the loss was still coming down (no plateau)."""
    _, losses = run.floats("loss")
    if len(losses) < 4:
        return False
    third, fourth = late_quarters(losses)
    return third > 0 and (third - fourth) / third >= T.UNDERFIT_PLATEAU_PROGRESS


def _schedule(run: RunData) -> tuple[list[float], list[int], list[list[float]]]:
    """(configured rate per group, steps, the groups' rates at each of those steps)."""
    configured = configured_rates(run)
    steps, rows = run.series("lr")
    kept = [(s, [float(v) for v in row]) for s, row in zip(steps, rows) if isinstance(row, list) and len(row) == len(configured)]
    return configured, [s for s, _ in kept], [r for _, r in kept]


def schedule_reach(run: RunData) -> float | None:
    """The highest fraction of its configured rate any param group's rate reached in the run
    (None without configured rates or enough steps)."""
    configured, _, rows = _schedule(run)
    if not configured or len(rows) < T.MIN_STEPS_FOR_TREND:
        return None
    return max(max(r[g] for r in rows) / configured[g] for g in range(len(configured)))


@rule("lr.schedule_below_configured", "lr_too_low", needs=("lr", "optimizers", "loss"))
def schedule_below_configured(run: RunData) -> list[Finding]:
    """A schedule held every group's rate far below its configured rate for the whole run, and the
    loss did not improve much (``not_improving``: late loss above 0.8x its start, or near chance)
    or was still falling when the run ended, above half its start (the rate was holding it back, not a
    converged run)."""
    reached = schedule_reach(run)
    trend = loss_trend(run)
    if reached is None or trend is None or trend["non_finite_step"] >= 0:
        return []
    configured, steps, rows = _schedule(run)
    progress = loss_progress(trend["initial"], trend["late"])
    # still falling while more than half the way from zero to where it started (UNDERFIT_LOSS_FRACTION):
    # far from converged, and the small rate holding it back
    slow = still_falling(run) and trend["late"] >= T.UNDERFIT_LOSS_FRACTION * trend["initial"]
    if reached >= T.LR_SCHEDULE_REACHED_FRACTION or not (not_improving(run)[0] or slow):
        return []
    return [
        Finding(
            rule="lr.schedule_below_configured",
            category="lr_too_low",
            severity="warning",
            confidence=0.75,
            step=steps[0],
            title=f"the schedule never raised the learning rate above {fmt(100 * reached)} % of the configured rate",
            observation=(
                f"The configured rate(s) (a scheduler's base rate, else the optimizer's constructor argument) were "
                f"{', '.join(f'{r:g}' for r in configured)}; over the {len(rows)} steps "
                f"seen the rate reached at most {fmt(100 * reached)} % of that (last value {max(rows[-1]):.3g}). The loss went "
                f"from {fmt(trend['initial'])} to {fmt(trend['late'])} (late median), a change of {fmt(100 * progress)} %"
                + (", and was still falling when the run ended." if slow else ".")
            ),
            hypothesis=(
                "The schedule is far slower than the run: a warmup length copied from a much longer training run, a "
                "lambda that returns a tiny factor, or a warmup counted in samples instead of steps."
            ),
            suggestion="Plot the learning rate per step; make the warmup a few percent of the total steps (and count it in optimizer steps).",
            evidence={"configured_lr": configured, "reached_fraction": reached, "loss_progress": progress},
            caveat="A long warmup in a run cut short by --max-steps looks the same; run more steps to see it end.",
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [steps_too_small, steps_aligned, schedule_decayed_early, schedule_below_configured]

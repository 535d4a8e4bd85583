"""Step size against curvature: lr * lambda_max versus the optimizer's stability bound.

Gradient descent on a quadratic is stable only while ``lr * lambda_max`` stays
below 2, below 2 (1 + beta) with heavy-ball momentum (Cohen et al. 2021), and
Adam's bound applies to the preconditioned sharpness (Cohen et al. 2022). The
rules read the ``curvature`` records of ``probes/curvature.py``:

- ``stability.above_bound`` (lr_too_high): above the bound on several estimates
  while the loss rises (a run at the edge of stability whose loss still falls is
  healthy);
- ``stability.far_below`` (lr_too_low): two orders of magnitude below the bound
  while the loss is flat; info unless tiny updates corroborate it, or a fraction of
  the bound so small (below 1 / (2 x steps)) that not even the sharpest direction
  could converge within the run; with both of those, a loss that has not halved;
- ``stability.sharpening`` (lr_too_high, info): lambda_max grew several-fold and
  reached the neighbourhood of the bound (progressive sharpening).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from traindebug import thresholds as T
from traindebug.curvature import StabilityBound, stability_bound
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.rules.learning_rate import early_update_ratio, loss_trend
from traindebug.store import RunData, to_float

FIGURE = "sharpness"
MINIBATCH_CAVEAT = (
    "The sharpness is measured on single mini-batches: it is noisier and usually larger than the "
    "full-batch sharpness the bound is derived for, and the bound holds exactly only for a quadratic."
)
ADAM_CAVEAT = (
    "For Adam the bound applies to the preconditioned sharpness with the preconditioner frozen "
    "(Cohen et al. 2022); Adam's preconditioner changes every step, so the comparison is approximate, "
    "and healthy Adam runs often sit at this bound."
)


@dataclass
class Estimate:
    """One curvature record, read against the bound of the optimizer in use."""

    step: int
    lr: float
    sharpness: float  # lambda_max, or the preconditioned one for adaptive methods
    bound: StabilityBound

    @property
    def ratio(self) -> float:
        """lr * sharpness as a fraction of the bound (1 = at the edge of stability)."""
        return self.lr * self.sharpness / self.bound.value


def estimates(run: RunData) -> list[Estimate]:
    """The finite curvature estimates whose optimizer has a known bound and one learning rate."""
    found = []
    for r in run.records("curvature"):
        if r.get("lr_groups_differ") or r.get("lr") is None:
            continue
        bound = stability_bound(
            r.get("optimizer") or "",
            momentum=r.get("momentum") or 0.0,
            dampening=r.get("dampening") or 0.0,
            nesterov=bool(r.get("nesterov")),
            betas=r.get("betas"),
        )
        if bound is None:
            continue
        key = "preconditioned_lambda_max" if bound.preconditioned else "lambda_max"
        sharpness = to_float(r.get(key))
        if math.isfinite(sharpness):
            found.append(Estimate(int(r["step"]), float(r["lr"]), sharpness, bound))
    return found


@dataclass
class LossRise:
    """How far the loss rose after a step, and when the rise began."""

    factor: float  # highest smoothed loss from the step on / lowest smoothed loss before it
    non_finite: bool  # the loss became NaN/Inf from the step on
    onset: int | None  # first step after ``since`` whose loss exceeds the divergence factor
    low: float = math.nan  # the lowest smoothed loss before the step


def loss_rise_after(run: RunData, step: int, since: int) -> LossRise:
    """The rise of the loss from ``step`` on, over its lowest value before ``step``.

    Smoothing: trailing medians over ``STABILITY_LOSS_WINDOW`` steps, so that single
    noisy mini-batches neither make the minimum nor the peak. ``onset`` looks for
    the first raw loss above ``LOSS_DIVERGENCE_FACTOR`` times that minimum after
    ``since`` (the last estimate that was still below the bound).
    """
    steps, losses = run.floats("loss")
    non_finite = any(not math.isfinite(v) for s, v in zip(steps, losses) if s >= step)
    width = T.STABILITY_LOSS_WINDOW
    smooth = [(s, median(losses[max(0, i - width + 1) : i + 1])) for i, s in enumerate(steps)]
    before = [v for s, v in smooth if s <= step and math.isfinite(v)]
    after = [v for s, v in smooth if s >= step and math.isfinite(v)]
    if not before or not after or len(steps) < T.MIN_STEPS_FOR_TREND:
        return LossRise(math.nan, non_finite, None)
    low = min(before)
    limit = T.LOSS_DIVERGENCE_FACTOR * low
    onset = next((s for s, v in zip(steps, losses) if s > since and not v <= limit), None)
    return LossRise(max(after) / low if low > 0 else math.inf, non_finite, onset, low)


def recovered_as_rate_fell(run: RunData, rise: LossRise, lr: float) -> bool:
    """The loss ended below its lowest value before the rise, and the rate ended at least
    STABILITY_RECOVERY_LR_DROP times lower than ``lr``: a schedule's peak that went past the
    bound for a while (one-cycle), which the run came out of as the rate decayed."""
    trend = loss_trend(run)
    _, rates = run.series("lr")
    last = max((to_float(v) for v in rates[-1]), default=math.nan) if rates and isinstance(rates[-1], list) else math.nan
    return (trend is not None and not rise.non_finite and trend["late"] < rise.low
            and last * T.STABILITY_RECOVERY_LR_DROP <= lr)


def _sharpness_name(bound: StabilityBound) -> str:
    return "preconditioned sharpness λmax(P⁻¹H)" if bound.preconditioned else "sharpness λmax"


TRANSIENT_CAVEAT = (
    "The run came out of it: the schedule lowered the rate afterwards and the loss ended below its value before "
    "the rise, so this was the peak of a schedule (one-cycle, warm restarts) going past the bound for a while; "
    "a lower peak rate may still train faster."
)


@rule("stability.above_bound", "lr_too_high", needs=("curvature", "loss"))
def above_bound(run: RunData) -> list[Finding]:
    """lr * lambda_max persistently above the stability bound while the loss rises."""
    found = estimates(run)
    above = [e for e in found if e.ratio > T.STABILITY_ABOVE_FRACTION]
    if len(above) < T.STABILITY_MIN_ESTIMATES_ABOVE:
        return []
    first, worst = above[0], max(above, key=lambda e: e.ratio)
    stable_before = [e.step for e in found if e.step < first.step]
    rise = loss_rise_after(run, first.step, since=stable_before[-1] if stable_before else -1)
    non_finite = rise.non_finite
    if not (non_finite or rise.factor > T.LOSS_DIVERGENCE_FACTOR):
        return []
    onset = min(first.step, rise.onset if rise.onset is not None else first.step)
    bound = first.bound
    adaptive = bound.preconditioned
    transient = recovered_as_rate_fell(run, rise, first.lr)
    loss_text = (
        "the loss became non-finite" if non_finite
        else f"the smoothed loss rose to {fmt(rise.factor)}x its lowest value before step {first.step}"
    )
    return [
        Finding(
            rule="stability.above_bound",
            category="lr_too_high",
            severity="info" if adaptive or transient else ("error" if non_finite else "warning"),
            confidence=0.5 if adaptive else 0.85,
            step=onset,
            title=f"Steps too large for the curvature: lr x {_sharpness_name(bound)} is above the stability bound {fmt(bound.value)}",
            observation=(
                f"On {len(above)} of {len(found)} curvature estimates lr x {_sharpness_name(bound)} exceeded "
                f"the bound {bound.formula} = {fmt(bound.value)}, first at step {first.step} "
                f"(lr {first.lr:g}, sharpness {fmt(first.sharpness)}, lr x sharpness = {fmt(first.lr * first.sharpness)}); "
                f"at worst {fmt(worst.ratio)}x the bound at step {worst.step}. Meanwhile {loss_text}"
                + (f", starting at step {onset}." if onset < first.step else ".")
            ),
            hypothesis=(
                "The learning rate is too high for the curvature of this loss: along the sharpest direction each "
                "step overshoots the minimum by more than it corrects, so the iterates oscillate with growing amplitude."
            ),
            suggestion=(
                f"Lower the learning rate below {fmt(bound.value / first.sharpness)} (bound / sharpness at step {first.step}), "
                "or run `traindebug lr-find` and train at half the divergent rate; a warm-up also helps when "
                "only the first steps are too sharp."
            ),
            evidence={
                "lr": first.lr,
                "lambda_max": first.sharpness,
                "lr_times_lambda_max": first.lr * first.sharpness,
                "stability_bound": bound.value,
                "estimates_above": len(above),
                "estimates": len(found),
                "loss_rise": rise.factor,
            },
            caveat=MINIBATCH_CAVEAT + (" " + ADAM_CAVEAT if adaptive else "")
            + (" " + TRANSIENT_CAVEAT if transient else ""),
            figures=[FIGURE, "loss"],
        )
    ]


@rule("stability.far_below", "lr_too_low", needs=("curvature", "loss"))
def far_below(run: RunData) -> list[Finding]:
    """lr * lambda_max two orders of magnitude below the bound while the loss stays flat."""
    found = estimates(run)
    trend = loss_trend(run)
    if len(found) < T.STABILITY_MIN_ESTIMATES_ABOVE or trend is None or not trend["initial"] > 0:
        return []
    if any(e.ratio >= T.STABILITY_FAR_BELOW_FRACTION for e in found):
        return []
    # progress is a fall: a loss that ends a little above its first (one-batch) value made none,
    # and steps a thousandth of the stability bound do not make it rise
    moved = max(trend["initial"] - trend["late"], 0.0) / trend["initial"]
    ratio = early_update_ratio(run) if run.has("update_ratio") else math.nan
    highest = max(found, key=lambda e: e.ratio)
    # at a fraction f of the bound a step shrinks the error along the sharpest direction by about
    # 2f (gradient descent: 1 - lr * lambda, the bound 2 / lambda); over n steps by exp(-2 n f):
    # below 1 / (2n) not even the sharpest direction gets one e-fold closer within the whole run
    unconverging = highest.ratio < 1 / (2 * len(run.steps))
    # when the update sizes say the same (below the healthy 1e-4), a loss that fell some way but
    # did not halve is still no sign that the steps were large enough
    flat = T.FAR_BELOW_BOTH_PROGRESS if unconverging and ratio < T.HEALTHY_UPDATE_RATIO else T.LOSS_FLAT_FRACTION
    if not moved < flat:
        return []
    corroborated = ratio < T.UPDATE_RATIO_LOW or unconverging
    bound = highest.bound
    return [
        Finding(
            rule="stability.far_below",
            category="lr_too_low",
            severity="warning" if corroborated else "info",
            confidence=0.7 if corroborated else 0.4,
            step=found[0].step,
            title=f"Steps far smaller than the curvature allows: lr x {_sharpness_name(bound)} stays far below the stability bound while the loss {'is flat' if moved < T.LOSS_FLAT_FRACTION else 'falls slowly'}",
            observation=(
                f"On all {len(found)} curvature estimates lr x {_sharpness_name(bound)} stayed below "
                f"{fmt(T.STABILITY_FAR_BELOW_FRACTION)} of the bound {fmt(bound.value)} (at most {fmt(highest.ratio)} of it, "
                f"step {highest.step}: lr {highest.lr:g}, sharpness {fmt(highest.sharpness)}); the loss moved by "
                f"{fmt(100 * moved)} % of its initial value"
                + (f"; the median update-to-weight ratio was {fmt(ratio)}." if math.isfinite(ratio) else ".")
                + (f" At {fmt(highest.ratio)} of the bound even the sharpest direction closes only about "
                   f"{fmt(100 * (1 - math.exp(-2 * len(run.steps) * highest.ratio)))} % of its distance to the minimum in "
                   f"the {len(run.steps)} steps of the run (below 1 / (2 x steps)); flatter directions less."
                   if unconverging else "")
            ),
            hypothesis=(
                "The steps are too small to make progress: even along the sharpest direction the rate could grow "
                f"about {fmt(1 / highest.ratio)}x before the update turns unstable."
            ),
            suggestion=(
                f"Try a learning rate up to {fmt(bound.value / highest.sharpness / 2)} (half the stability limit), "
                "or run `traindebug lr-find`."
            ),
            evidence={
                "lr": highest.lr,
                "lambda_max": highest.sharpness,
                "fraction_of_bound": highest.ratio,
                "stability_bound": bound.value,
                "loss_change_fraction": moved,
                "update_ratio": ratio,
            },
            caveat=MINIBATCH_CAVEAT + (
                "" if corroborated else " A flat loss with healthy-sized updates can also come from the data or the "
                "labels; without tiny updates, or steps too small for even the sharpest direction to converge within "
                "the run, the learning rate is only one candidate."
            ),
            figures=[FIGURE, "loss"],
        )
    ]


@rule("stability.sharpening", "lr_too_high", needs=("curvature",))
def sharpening(run: RunData) -> list[Finding]:
    """Progressive sharpening: lambda_max grew several-fold and approaches the bound."""
    found = estimates(run)
    if len(found) < 3 or found[0].sharpness <= 0:
        return []
    late = found[-2:]
    growth = median([e.sharpness for e in late]) / found[0].sharpness
    near = max(e.ratio for e in late)
    if growth < T.SHARPENING_FACTOR or near < T.SHARPENING_NEAR_BOUND_FRACTION:
        return []
    bound = found[0].bound
    return [
        Finding(
            rule="stability.sharpening",
            category="lr_too_high",
            severity="info",
            confidence=0.5,
            step=found[0].step,
            title=f"The loss sharpens as training goes: {_sharpness_name(bound)} grew {fmt(growth)}x and nears the stability bound",
            observation=(
                f"{_sharpness_name(bound).capitalize()} went from {fmt(found[0].sharpness)} at step {found[0].step} to "
                f"{fmt(late[-1].sharpness)} at step {late[-1].step}; lr x sharpness reached {fmt(near)} of the "
                f"stability bound {fmt(bound.value)}."
            ),
            hypothesis=(
                "Progressive sharpening (Cohen et al. 2021): the curvature grows until lr x lambda_max reaches the bound; "
                "from there training runs at the edge of stability, with a non-monotone loss. This is common and "
                "not a bug by itself."
            ),
            suggestion=(
                "Nothing to fix while the loss keeps falling; if it starts to oscillate or rise, lower the learning rate "
                "or decay it once the run reaches the edge."
            ),
            evidence={"growth": growth, "fraction_of_bound": near, "stability_bound": bound.value},
            caveat=MINIBATCH_CAVEAT + (" " + ADAM_CAVEAT if bound.preconditioned else ""),
            figures=[FIGURE],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [above_bound, far_below, sharpening]

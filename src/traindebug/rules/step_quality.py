"""lr_too_high / lr_too_low from the local step-size quality alpha (probes/alpha.py).

alpha places each step on a parabola fitted along the update direction: -1 is
"stayed at the start", 0 "reached the minimum", 1 "landed as high on the other
side", above 1 "went uphill" (Schneider, Dangel & Hennig 2021, "Cockpit: A
Practical Debugging Tool for the Training of Deep Neural Networks", sec. 3.1).
A single alpha is noisy (it mixes two mini-batches), so these rules judge the
median over many measurements, over the whole run and over its second half.
"""

from __future__ import annotations

import math

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.rules.learning_rate import loss_trend
from traindebug.store import RunData, to_float


def alphas(run: RunData) -> tuple[list[int], list[float]]:
    """(start steps, alpha) of the measurements with a convex fit and a finite value."""
    steps, values = [], []
    for r in run.records("alpha"):
        value = to_float(r.get("alpha"))
        if to_float(r.get("concave")) == 0 and math.isfinite(value):
            steps.append(int(r["step"]))
            values.append(value)
    return steps, values


def _summary(run: RunData) -> dict[str, float] | None:
    steps, values = alphas(run)
    if len(values) < T.ALPHA_MIN_MEASUREMENTS:
        return None
    late = values[len(values) // 2 :]
    return {
        "median": median(values),
        "late_median": median(late),
        "count": float(len(values)),
        "above_one": sum(v > 1 for v in values) / len(values),
        "near_minus_one": sum(v < T.ALPHA_LOW for v in values) / len(values),
        "first_step": float(steps[0]),
        "last_step": float(steps[-1]),
    }


CAVEAT = (
    "alpha fits a parabola to four noisy observations (loss and slope before and after the step, the "
    "second on the next mini-batch); only its median over many steps is meaningful, and it describes the "
    "loss along the update direction only."
)


@rule("alpha.overshooting", "lr_too_high", needs=("alpha",))
def overshooting(run: RunData) -> list[Finding]:
    """The median alpha stays above 1: steps go past the valley floor and uphill."""
    s = _summary(run)
    if s is None or s["median"] <= T.ALPHA_HIGH or s["late_median"] <= T.ALPHA_HIGH:
        return []
    return [
        Finding(
            rule="alpha.overshooting",
            category="lr_too_high",
            severity="warning",
            confidence=0.6,
            step=int(s["first_step"]),
            title=f"steps overshoot the minimum along their direction (median alpha {fmt(s['median'])})",
            observation=(
                f"Over {int(s['count'])} measurements between steps {int(s['first_step'])} and {int(s['last_step'])}, "
                f"the local step-size quality alpha had median {fmt(s['median'])} (second half: {fmt(s['late_median'])}); "
                f"{s['above_one']:.0%} of the steps had alpha > 1, i.e. they ended higher on the fitted parabola than "
                "where they started."
            ),
            hypothesis="The learning rate is too high: each update jumps across the valley of the loss along its own direction.",
            suggestion=(
                "Lower the learning rate (a factor 2-4 brings alpha from above 1 towards 0) and check that the "
                "loss then falls faster; a warm-up helps when only the first steps overshoot."
            ),
            evidence=s,
            caveat=CAVEAT,
        )
    ]


@rule("alpha.undershooting", "lr_too_low", needs=("alpha",))
def undershooting(run: RunData) -> list[Finding]:
    """The median alpha stays near -1: steps cover a tiny part of the way to the minimum."""
    s = _summary(run)
    if s is None or s["median"] >= T.ALPHA_LOW or s["late_median"] >= T.ALPHA_LOW:
        return []
    fraction = (1 + s["median"]) / 2  # of the way to the minimum of the parabola
    trend = loss_trend(run)
    progress = trend["late"] / trend["initial"] if trend and trend["initial"] > 0 else math.nan
    # short steps that still bring the loss down far are a choice, not a problem
    severity = "info" if progress < T.ALPHA_LOW_PROGRESS else "warning"
    return [
        Finding(
            rule="alpha.undershooting",
            category="lr_too_low",
            severity=severity,
            confidence=0.5,
            step=int(s["first_step"]),
            title=f"steps stop far short of the minimum along their direction (median alpha {fmt(s['median'])})",
            observation=(
                f"Over {int(s['count'])} measurements between steps {int(s['first_step'])} and {int(s['last_step'])}, "
                f"the local step-size quality alpha had median {fmt(s['median'])} (second half: {fmt(s['late_median'])}): "
                f"a typical step covered about {fraction:.1%} of the distance to the minimum of the parabola fitted "
                "along it."
                + (f" The training loss went from {fmt(trend['initial'])} to {fmt(trend['late'])} (late median)"
                   + (", so the short steps still made progress." if severity == "info" else ".") if trend else "")
            ),
            hypothesis="The learning rate is too low: the loss keeps falling along each update direction well beyond where the step stops.",
            suggestion="Raise the learning rate by 3-10x (or run `traindebug lr-find`) and compare the loss after the same number of steps.",
            evidence={**s, "fraction_of_way": fraction, "loss_progress": progress},
            caveat=CAVEAT,
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [overshooting, undershooting]

"""Gradient noise too large for the batch size (probes/gradient_noise.py).

The norm test (Byrd et al. 2012) asks that the variance of the batch gradient,
tr(Cov)/B, be at most theta^2 |g|^2. The batch at which it would just pass,
``noise_batch_norm`` = tr(Cov) / (theta^2 |g|^2), is at theta = 1 the "simple
gradient noise scale" of McCandlish et al. (2018, "An Empirical Model of
Large-Batch Training"), the batch size beyond which larger batches stop
paying off. When the batch used is far below it in the early phase (where the
signal should dominate), most of each step is sampling noise.

Category: ``lr_too_high`` at severity info. The noise a step injects grows with
lr / B (Smith & Le 2018, "A Bayesian Perspective on Generalization and SGD"),
so "too much noise per step" is fixed by a larger batch or, equivalently, a
smaller learning rate; of the taxonomy's names it is the closest ("steps are too
large ... oscillation"). It is not ``underfitting``, which presumes healthy updates.
"""

from __future__ import annotations

import math

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.store import RunData


@rule("noise.batch_too_small", "lr_too_high", needs=("noise_batch_norm", "noise_n"))
def batch_too_small(run: RunData) -> list[Finding]:
    """The norm test asks, early in training, for a batch far larger than the one used."""
    steps, suggested = run.floats("noise_batch_norm")
    _, used = run.floats("noise_n")
    pairs = [(s, b, n) for s, b, n in zip(steps, suggested, used) if math.isfinite(b) and n > 1]
    early = pairs[: max(T.NOISE_MIN_MEASUREMENTS, len(pairs) // 3)]
    if len(early) < T.NOISE_MIN_MEASUREMENTS:
        return []
    factor = median([b / n for _, b, n in early])
    if factor < T.NOISE_BATCH_FACTOR:
        return []
    batch = int(median([n for _, _, n in early]))
    wanted = median([b for _, b, _ in early])
    _, norm_test = run.floats("noise_norm_test")
    return [
        Finding(
            rule="noise.batch_too_small",
            category="lr_too_high",
            severity="info",
            confidence=0.4,
            step=early[0][0],
            title=f"gradient noise dominates: the norm test asks for batches of ~{fmt(wanted)} (used: {batch})",
            observation=(
                f"Over the first {len(early)} measurements (steps {early[0][0]}-{early[-1][0]}) the per-sample gradients "
                f"varied so much that the norm test (theta = {T.NORM_TEST_THETA:g}) would pass only with a batch of about "
                f"{fmt(wanted)} samples, {fmt(factor)}x the {batch} used (median norm-test value "
                f"{fmt(median(norm_test[: len(early)]))}; it passes below {T.NORM_TEST_THETA:g})."
            ),
            hypothesis=(
                "Each mini-batch gradient is mostly sampling noise, so steps at this learning rate wander instead of "
                "descending; progress per step is limited by noise, not by the learning rate's size alone."
            ),
            suggestion=(
                f"Use a larger batch (towards {fmt(min(wanted, 64 * batch))}; gradient accumulation if memory is short) "
                "or lower the learning rate in proportion; check that labels carry signal if the noise never decreases."
            ),
            evidence={"suggested_batch": wanted, "batch": batch, "factor": factor, "measurements": len(early)},
            caveat=(
                "The test uses the variance within one batch as an estimate of the gradient noise; near a minimum noise "
                "dominates in every healthy run, which is why only the early phase is judged."
            ),
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [batch_too_small]

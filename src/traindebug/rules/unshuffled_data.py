"""unshuffled_data: batches ordered by class, so each batch's label mix differs from the whole."""

from __future__ import annotations

import math
import random

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.rules.labels import batch_label_entropies, label_counts, label_entropy, made_targets
from traindebug.store import RunData, to_float

#: random batches drawn to estimate the entropy of a shuffled batch
SIMULATED_BATCHES = 200
#: above this batch size the plug-in entropy of a batch is close to the global one
EXACT_BATCH_SIZE = 4096


def random_batch_entropy(counts: list[float], batch: int) -> float:
    """Mean label entropy of batches of ``batch`` labels drawn at random from ``counts``."""
    if batch >= EXACT_BATCH_SIZE:
        return label_entropy(counts)
    rng = random.Random(0)
    classes = range(len(counts))
    total = 0.0
    for _ in range(SIMULATED_BATCHES):
        draw = [0.0] * len(counts)
        for c in rng.choices(classes, weights=counts, k=batch):
            draw[c] += 1
        total += label_entropy(draw)
    return total / SIMULATED_BATCHES


@rule("data.unshuffled", "unshuffled_data", needs=("label_steps", "labels"))
def unshuffled(run: RunData) -> list[Finding]:
    """Mean per-batch label entropy far below that of randomly drawn batches."""
    entropies, sizes = batch_label_entropies(run)
    counts = label_counts(run)
    if len(entropies) < T.MIN_STEPS_FOR_TREND or sum(1 for c in counts if c > 0) < 2 or made_targets(run):
        return []
    batch = max(int(median(sizes)), 1)
    expected = random_batch_entropy(counts, batch)
    if expected < 0.1:
        return []
    observed = sum(entropies) / len(entropies)
    fraction = observed / expected
    if fraction >= T.BATCH_ENTROPY_FRACTION:
        return []
    single = sum(1 for e in entropies if e < 1e-6)
    return [
        Finding(
            rule="data.unshuffled",
            category="unshuffled_data",
            severity="warning",
            confidence=0.85,
            step=0,
            title=f"batches hold {fraction:.0%} of the label variety of a shuffled batch",
            observation=(
                f"The mean label entropy of a training batch was {fmt(observed)} nats over {len(entropies)} steps; "
                f"random batches of {batch} labels from the same label counts would have {fmt(expected)} "
                f"(whole run: {fmt(label_entropy(counts))}). {single} of {len(entropies)} batches held a single class."
            ),
            hypothesis=(
                "The data is ordered (sorted by class, or grouped by source) and the loader does not shuffle: "
                "each step pulls the model toward one class and the next undoes it, so the loss oscillates."
            ),
            suggestion="Shuffle the training set each epoch (DataLoader(..., shuffle=True), or index with torch.randperm).",
            evidence={"batch_entropy": observed, "random_batch_entropy": expected, "single_class_batches": single, "batch": batch},
            caveat="Deliberately class-grouped batches (episodic few-shot training, curriculum by class) look the same; the input order itself is not recorded, only its labels.",
            figures=["loss"],
        )
    ]


#: consecutive steps pooled into one stretch of data (short enough that targets which drift as
#: the model trains, such as bootstrapped returns, stay put within it)
TARGET_WINDOW = 16


def target_batch_share(run: RunData) -> tuple[float, int] | None:
    """(median share of the targets' spread that one batch holds, windows judged), or None.

    Per stretch of TARGET_WINDOW consecutive steps with ``target_moments`` and per target column:
    the mean within-batch variance over the variance of the whole stretch (within plus the
    variance of the batch means). Randomly drawn batches of B rows hold (B - 1) / B of it;
    batches of rows sorted by their target, by time or by a sweep hold little."""
    _, rows = run.series("target_moments")
    shares = []
    for start in range(0, len(rows) - TARGET_WINDOW + 1, TARGET_WINDOW):
        window = rows[start : start + TARGET_WINDOW]
        if len({len(r[0]) for r in window}) != 1:
            continue
        for c in range(len(window[0][0])):
            means = [to_float(r[0][c]) for r in window]
            within = sum(to_float(r[1][c]) for r in window) / len(window)
            centre = sum(means) / len(means)
            total = within + sum((m - centre) ** 2 for m in means) / len(means)
            if math.isfinite(total) and total > 0:
                shares.append(within / total)
    return (median(shares), len(rows) // TARGET_WINDOW) if shares else None


@rule("data.unshuffled_targets", "unshuffled_data", needs=("target_moments",))
def unshuffled_targets(run: RunData) -> list[Finding]:
    """Batches hold a small share of the spread of regression (or multi-column) targets."""
    found = target_batch_share(run)
    if found is None or found[1] < T.TARGET_MIN_WINDOWS or found[0] >= T.TARGET_BATCH_SHARE:
        return []
    share, windows = found
    return [
        Finding(
            rule="data.unshuffled_targets",
            category="unshuffled_data",
            severity="warning",
            confidence=0.7,
            step=0,
            title=f"each batch holds {share:.0%} of the spread of the targets around it",
            observation=(
                f"Over {windows} stretches of {TARGET_WINDOW} consecutive training steps, the variance of the targets "
                f"within one batch was a median {fmt(share)} of their variance over the whole stretch (per target "
                f"column); batches drawn at random hold nearly all of it ((B - 1) / B for B rows)."
            ),
            hypothesis=(
                "The rows are ordered (sorted by their target, by time, or by a parameter sweep) and the loader does "
                "not shuffle: each step sees a narrow slice of the targets, and the model is pulled from one end of "
                "their range to the other within every epoch."
            ),
            suggestion="Shuffle the training set each epoch (DataLoader(..., shuffle=True), or index with torch.randperm).",
            evidence={"batch_share": share, "windows": windows, "window_steps": TARGET_WINDOW},
            caveat="Stateful sequence training (truncated backpropagation through time over one long series) must "
                   "keep its order, and batches of consecutive windows of a series look the same; only the targets "
                   "are measured, not the inputs.",
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [unshuffled, unshuffled_targets]

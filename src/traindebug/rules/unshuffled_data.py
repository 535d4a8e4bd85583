"""unshuffled_data: batches ordered by class, so each batch's label mix differs from the whole."""

from __future__ import annotations

import random

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.rules.labels import batch_label_entropies, label_counts, label_entropy, made_targets
from traindebug.store import RunData

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


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [unshuffled]

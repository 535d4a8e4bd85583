"""vanishing_gradients from per-layer gradient histograms (probes/histograms.py).

A weight matrix whose nonzero gradient elements are almost all below
``GRAD_ABS_VANISHED`` while the last weight matrix's are not: the backward
signal has died out on its way to that layer.
"""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, matrix_tensors, median, per_tensor, rule
from traindebug.store import RunData


@rule("gradients.vanishing_histogram", "vanishing_gradients", needs=("grad_tiny_fraction",))
def vanishing_histogram(run: RunData) -> list[Finding]:
    """Layers whose gradient histogram sits almost entirely below the vanishing threshold."""
    steps, rows = per_tensor(run, "grad_tiny_fraction")
    matrices = matrix_tensors(run)
    if len(rows) < T.NOISE_MIN_MEASUREMENTS or len(matrices) < 2:
        return []
    names = run.tensor_names
    tiny = {i: median([r[i] for r in rows if i < len(r)]) for i in matrices}
    last = matrices[-1]
    if tiny[last] >= 1 - T.HIST_VANISHED_FRACTION:
        return []  # the output layer's gradient is small too: a flat loss, not depth
    layers = [i for i in matrices[:-1] if tiny[i] >= T.HIST_VANISHED_FRACTION]
    if not layers:
        return []
    where = names[layers[0]]
    return [
        Finding(
            rule="gradients.vanishing_histogram",
            category="vanishing_gradients",
            severity="warning",
            confidence=0.65,
            step=steps[0],
            where=where,
            title=f"{len(layers)} layer(s) get gradients below {T.GRAD_ABS_VANISHED:g} almost everywhere",
            observation=(
                f"Over {len(rows)} measured steps, the median fraction of nonzero gradient elements with "
                f"|g| <= {T.GRAD_ABS_VANISHED:g} was "
                + ", ".join(f"{fmt(tiny[i])} in {names[i]}" for i in layers[:4])
                + f", against {fmt(tiny[last])} in the last layer {names[last]}."
            ),
            hypothesis=(
                "The backward signal shrinks on its way through depth (saturating activations, too small "
                "initialization, no normalization or skip connections), so these layers barely learn."
            ),
            suggestion="Use ReLU-family activations with He initialization, add normalization layers or residual connections; check the per-layer gradient histograms in the logbook.",
            evidence={"tiny_fraction": {names[i]: tiny[i] for i in layers}, "last_layer": tiny[last]},
            caveat=f"The threshold {T.GRAD_ABS_VANISHED:g} is absolute: a loss scaled down by orders of magnitude shifts every histogram.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [vanishing_histogram]

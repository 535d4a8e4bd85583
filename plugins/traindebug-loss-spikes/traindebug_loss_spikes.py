"""An example third-party traindebug plugin: isolated loss spikes.

Install it next to traindebug (``pip install plugins/traindebug-loss-spikes``);
traindebug finds it through the ``traindebug.plugins`` entry point and runs its
rule like a built-in one. It needs no probe: the loss is in every step record.
"""

from __future__ import annotations

import math

from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.store import RunData

#: a step whose loss exceeds the median of the previous WINDOW steps by this factor is a spike
SPIKE_FACTOR = 3.0
WINDOW = 20


@rule("plugin.loss_spikes", "lr_too_high", needs=("loss",))
def loss_spikes(run: RunData) -> list[Finding]:
    """Report steps whose loss jumps far above the recent median (information only)."""
    steps, losses = run.floats("loss")
    spikes = [
        (s, v, median(losses[i - WINDOW : i]))
        for i, (s, v) in enumerate(zip(steps, losses))
        if i >= WINDOW and math.isfinite(v) and v > SPIKE_FACTOR * median(losses[i - WINDOW : i]) > 0
    ]
    if not spikes:
        return []
    step, value, before = spikes[0]
    return [
        Finding(
            rule="plugin.loss_spikes",
            category="lr_too_high",
            severity="info",
            confidence=0.4,
            step=step,
            title=f"{len(spikes)} loss spike(s), the first at step {step}",
            observation=f"At step {step} the loss was {fmt(value)}, {fmt(value / before)}x the median of the {WINDOW} steps before.",
            hypothesis="Isolated spikes come from steps that overshoot on an unusual batch, or from outliers in the data.",
            suggestion="Look at the batch of that step; if spikes recur, lower the learning rate or clip gradients.",
            evidence={"spike_steps": [s for s, _, _ in spikes][:20]},
            caveat="A single spike that recovers is often harmless.",
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [loss_spikes]

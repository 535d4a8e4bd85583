"""dead_units: hidden ReLU units that are zero for every sample and stay so."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, rule
from traindebug.rules.learning_rate import not_improving
from traindebug.store import RunData, to_float


def layer_series(run: RunData, key: str) -> dict[str, list[tuple[int, float, list[int]]]]:
    """Per activation name: [(step, value of ``key``, shape)] over the unit_health checks."""
    series: dict[str, list[tuple[int, float, list[int]]]] = defaultdict(list)
    for record in run.records("unit_health"):
        for row in record.get("layers", []):
            if key in row:
                series[row["name"]].append((record["step"], to_float(row[key]), row.get("shape", [])))
    return series


def merge_calls(points: list[tuple[int, float, list[int]]], key: str) -> list[tuple[int, float, list[int]]]:
    """One point per check: a layer called several times in one step (a model applied to each
    bag, set or sequence of the batch on its own) counts over all those calls' samples. The
    saturated fraction (of outputs) is their sample-weighted mean; the dead fraction (of units
    silent for every sample) of the calls together is at least 1 - the sum of their live
    fractions (a unit live somewhere is live in some call), exact when each call has it dead."""
    by_step: dict[int, list[tuple[int, float, list[int]]]] = defaultdict(list)
    for point in points:
        by_step[point[0]].append(point)
    merged = []
    for step, calls in by_step.items():
        samples = [math.prod(shape) // max(shape[-1], 1) if shape else 0 for _, _, shape in calls]
        units = calls[0][2][-1:] if calls[0][2] else []
        if key == "dead":
            value = max(0.0, 1.0 - sum(1.0 - v for _, v, _ in calls))
        else:
            value = sum(v * n for (_, v, _), n in zip(calls, samples)) / max(sum(samples), 1)
        merged.append((step, value, [sum(samples), *units] if len(calls) > 1 else calls[0][2]))
    return merged


def persistent_layers(run: RunData, key: str, threshold: float) -> list[dict[str, Any]]:
    """Layers whose ``key`` exceeds ``threshold`` at the last two checks (the last at step > 0)."""
    found = []
    for name, points in layer_series(run, key).items():
        points = merge_calls([p for p in points if math.isfinite(p[1])], key)
        if len(points) < 2 or points[-1][0] == 0:
            continue
        shape = points[-1][2]
        if shape and math.prod(shape) // max(shape[-1], 1) < T.UNIT_MIN_SAMPLES:
            continue
        last_two = [v for _, v, _ in points[-2:]]
        if min(last_two) > threshold:
            found.append({"name": name, "values": [v for _, v, _ in points], "steps": [s for s, _, _ in points], "shape": shape})
    return found


def describe_layers(layers: list[dict[str, Any]]) -> str:
    """'name: 90 %, 85 % at steps 25, 50; ...' for the logbook."""
    return "; ".join(
        f"{l['name']}: {', '.join(f'{100 * v:.0f} %' for v in l['values'])} at steps {', '.join(map(str, l['steps']))}"
        for l in layers
    )


@rule("units.dead_relu", "dead_units", needs=("unit_health",))
def dead_relu(run: RunData) -> list[Finding]:
    """More than half of a hidden ReLU layer's units never activate, check after check."""
    layers = persistent_layers(run, "dead", T.DEAD_UNITS_LAYER_FRACTION)
    if not layers:
        return []
    worst = max(layers, key=lambda l: l["values"][-1])
    detail = describe_layers(layers)
    stuck, loss = not_improving(run)
    # while the loss falls, only a layer dead from the first check on (an initialisation that
    # kills it) is a warning; units that die as training goes cost capacity, not the run
    severe = min(worst["values"][0], *worst["values"][-2:]) >= T.DEAD_UNITS_SEVERE_FRACTION
    return [
        Finding(
            rule="units.dead_relu",
            category="dead_units",
            severity="warning" if stuck or severe else "info",
            confidence=0.8,
            step=worst["steps"][0],
            where=worst["name"],
            title=f"{100 * worst['values'][-1]:.0f} % of the ReLU units of {worst['name']} never activate",
            observation=(
                f"Fraction of hidden ReLU units that were exactly zero for every sample of the batch, per check: {detail}. "
                f"More than {100 * T.DEAD_UNITS_LAYER_FRACTION:.0f} % of a layer's units were dead at the last two checks"
                + (f"; {loss}." if loss else ".")
                + ("" if stuck or severe else
                   f" Not {100 * T.DEAD_UNITS_SEVERE_FRACTION:.0f} % dead from the first check on while the loss "
                   "falls: capacity is wasted, training still works (info).")
            ),
            hypothesis=(
                "Dead ReLUs get no gradient, so they cannot recover: typical causes are a negative bias or weight "
                "initialization, a learning rate that pushed the pre-activations negative, or unnormalized inputs."
            ),
            suggestion=(
                "Check the bias/weight initialization of the layers before these ReLUs (default or Kaiming init, bias 0), "
                "lower the learning rate, or use LeakyReLU/GELU."
            ),
            evidence={"layers": {l["name"]: l["values"] for l in layers}, "steps": worst["steps"]},
            caveat="Measured on one batch per check: a unit that fires only on rare inputs can look dead on a small batch.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [dead_relu]

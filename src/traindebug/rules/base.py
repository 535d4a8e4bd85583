"""What a rule is: a pure function from a run's metrics to findings.

A rule reads ``RunData`` and returns a list of ``Finding``. It declares the
metrics it needs (step-record keys or record kinds); when one is missing the
engine records the rule as skipped instead of running it. Thresholds live in
``traindebug.thresholds`` with their sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from traindebug.findings import CATEGORIES, Finding
from traindebug.store import RunData, to_float

RuleFn = Callable[[RunData], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A named rule for one category, with the metrics it needs."""

    name: str
    category: str
    needs: tuple[str, ...]
    fn: RuleFn

    def missing(self, run: RunData) -> list[str]:
        """The needed metrics this run lacks."""
        return [key for key in self.needs if not run.has(key)]


def rule(name: str, category: str, needs: tuple[str, ...] = ()) -> Callable[[RuleFn], Rule]:
    """Decorator: turn ``fn(run) -> list[Finding]`` into a ``Rule``."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")

    def wrap(fn: RuleFn) -> Rule:
        return Rule(name=name, category=category, needs=tuple(needs), fn=fn)

    return wrap


def matrix_tensors(run: RunData) -> list[int]:
    """Indices of observed tensors with at least 2 dimensions (weights, not biases)."""
    shapes = (run.last("tensors") or {}).get("shapes", [])
    return [i for i, s in enumerate(shapes) if len(s) >= 2]


def per_tensor(run: RunData, key: str) -> tuple[list[int], list[list[float]]]:
    """(steps, rows) of a per-tensor step key, values as floats."""
    from traindebug.store import to_float

    steps, rows = run.series(key)
    return steps, [[to_float(v) for v in row] for row in rows]


def never_made(run: RunData) -> set[int]:
    """Indices of the tensors whose ``.grad`` was None at every step (``grad_missing``): the
    backward's graph never reached them."""
    _, missing = run.series("grad_missing")
    if not missing:
        return set()
    return set.intersection(*(set(m) for m in missing))


def late_quarters(values: list[float]) -> tuple[float, float]:
    """Medians of the third and the fourth quarter of ``values`` (how a plateau is read)."""
    quarter = len(values) // 4
    return median(values[2 * quarter : 3 * quarter]), median(values[3 * quarter :])


def late(steps: list[int], rows: list[Any], fraction: float = 0.2, minimum: int = 3) -> list[Any]:
    """The rows of the last ``fraction`` of the steps they span (at least the last ``minimum``
    rows): per-tensor rows come every step early in a run and every 10th later, so a share of
    the rows is not a share of the run."""
    if not steps:
        return []
    start = steps[-1] - fraction * (steps[-1] - steps[0])
    chosen = [r for s, r in zip(steps, rows) if s >= start]
    return chosen if len(chosen) >= minimum else rows[-minimum:]


def model_of(name: str) -> str:
    """Which observed model a tensor belongs to: 'model<k>.' prefixes mark the second and later
    ones; 'optimizer<k>.' an optimizer's tensor in no model, 'leaf' a functional model's."""
    match = re.match(r"(model\d+|optimizer\d+|leaf)", name)
    return match.group(1) if match else "model0"


def median(values: list[float]) -> float:
    """Median of finite values (nan if none)."""
    import math

    finite = sorted(v for v in values if math.isfinite(v))
    if not finite:
        return math.nan
    mid = len(finite) // 2
    return finite[mid] if len(finite) % 2 else 0.5 * (finite[mid - 1] + finite[mid])


def fmt(value: float) -> str:
    """A number as people read it: 3 significant digits."""
    return f"{value:.3g}"


def alternating_updates(run: RunData) -> bool:
    """Consecutive steps update disjoint sets of tensors (GAN-style alternating optimizers).

    The logged loss then mixes adversarial objectives and says nothing about the fit.
    """
    steps, rows = per_tensor(run, "update_ratio")
    moved = [(step, frozenset(i for i, v in enumerate(row) if v > 0)) for step, row in zip(steps[:200], rows)]
    # consecutive steps only: after PER_TENSOR's first steps the rows are 10 steps apart
    pairs = [(a, b) for (s, a), (t, b) in zip(moved, moved[1:]) if t == s + 1 and a and b]
    return bool(pairs) and sum(not (a & b) for a, b in pairs) >= 0.5 * len(pairs)


#: optimizers whose weight decay is always decoupled (applied to the weights, not added to the gradient)
DECOUPLED = ("AdamW",)


def coupled_decay(run: RunData) -> float:
    """The largest weight decay that an optimizer adds to the gradient (0 if none)."""
    optimizers = (run.last("optimizers") or {}).get("optimizers", [])
    return max((to_float(g.get("weight_decay")) for o in optimizers if o.get("type") not in DECOUPLED
                for g in o.get("groups", []) if g.get("weight_decay") and not g.get("decoupled_weight_decay")),
               default=0.0)

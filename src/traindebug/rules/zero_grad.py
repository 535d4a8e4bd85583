"""missing_zero_grad: gradients accumulate across optimizer steps."""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, rule
from traindebug.store import RunData, to_float


@rule("zero_grad.missing", "missing_zero_grad", needs=("stale_grad", "grad_norm"))
def missing(run: RunData) -> list[Finding]:
    """At most steps' first backward, gradients the optimizer already used are still there.

    Steps are judged per part of the model that steps on its own (the tensors a step updates:
    a GAN's generator and discriminator), parts that step only a few times each together."""
    steps, stale = run.series("stale_grad")
    scope = dict(zip(*run.series("stale_scope")))
    parts: dict[int | None, list[tuple[int, float]]] = {}  # the steps of each part of the model that steps on its own
    for s, v in zip(steps, stale):
        if s > 0:
            parts.setdefault(scope.get(s), []).append((s, to_float(v)))
    # parts that step only a few times each (a meta-learner's fresh copy per task) are judged together
    short = sorted((p for pairs in parts.values() if len(pairs) < T.MIN_STEPS_FOR_TREND for p in pairs))
    groups = [pairs for pairs in parts.values() if len(pairs) >= T.MIN_STEPS_FOR_TREND] + [short]
    judged = [(sum(v > 0 for _, v in pairs) / len(pairs), pairs) for pairs in groups if len(pairs) >= T.MIN_STEPS_FOR_TREND]
    if not judged:
        return []
    fraction, pairs = max(judged, key=lambda j: j[0])
    if fraction < T.STALE_GRAD_STEP_FRACTION:
        return []
    dirty = [s for s, v in pairs if v > 0]
    first = scope.get(pairs[0][0])
    names = run.tensor_names
    if pairs is short and len(parts) > 1:
        part = (f" of the {sum(len(p) < T.MIN_STEPS_FOR_TREND for p in parts.values())} parts of the model that each "
                f"stepped only a few times (fresh copies of the tensors, each with an optimizer of its own)")
    elif len(parts) > 1 and isinstance(first, (int, float)) and 0 <= first < len(names):
        part = f" that updated {names[int(first)]} (and the tensors stepped with it; the model's parts step separately)"
    else:
        part = ""
    _, norms = run.floats("grad_norm")
    early, late = median(norms[:3]), median(norms[-max(3, len(norms) // 5) :])
    return [
        Finding(
            rule="zero_grad.missing",
            category="missing_zero_grad",
            severity="error",
            confidence=0.9,
            step=dirty[0],
            title="gradients carry over from one optimizer step to the next",
            observation=(
                f"At the first backward of {len(dirty)} of {'the ' if part else ''}{len(pairs)} steps{part}, the parameters' .grad already held "
                f"non-zero gradients from earlier steps. The total gradient norm went from {fmt(early)} to {fmt(late)}."
            ),
            hypothesis=(
                "optimizer.zero_grad() (or model.zero_grad()) is not called before each step's backward (it is missing, "
                "or runs only once per epoch or every few steps), so each backward adds to the sum of earlier "
                "gradients and the optimizer steps along a stale, growing direction."
            ),
            suggestion="Call optimizer.zero_grad() once per step, before loss.backward(). For deliberate accumulation, zero after each optimizer.step().",
            evidence={"steps_with_stale_grad": len(dirty), "steps": len(pairs), "early_grad_norm": early, "late_grad_norm": late},
            caveat="Deliberate gradient accumulation resets after each optimizer step and is not reported.",
            figures=["grad_norm"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [missing]

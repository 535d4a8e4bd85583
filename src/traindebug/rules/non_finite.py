"""non_finite: the first NaN or Inf in the loss, the gradients or the parameters."""

from __future__ import annotations

import math

from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, rule
from traindebug.store import RunData, to_float


def _first_bad(run: RunData, key: str) -> tuple[int, int | None] | None:
    """(step, tensor index or None) of the first non-finite value of a step key."""
    steps, values = run.series(key)
    for step, value in zip(steps, values):
        if isinstance(value, list):
            for i, v in enumerate(value):
                if not math.isfinite(to_float(v)):
                    return step, i
        elif not math.isfinite(to_float(value)):
            return step, None
    return None


@rule("non_finite.first", "non_finite", needs=("loss",))
def first_non_finite(run: RunData) -> list[Finding]:
    """Where NaN/Inf appeared first: loss, gradient or parameter, with module."""
    names = run.tensor_names
    found = {key: _first_bad(run, key) for key in ("loss", "grad_norms", "param_norms")}
    bad_input = next((r for r in run.records("input_stats") if not math.isfinite(to_float(r.get("rms")))), None)
    if bad_input is not None:
        found["input"] = (bad_input["step"], None)
    present = {k: v for k, v in found.items() if v is not None}
    if not present:
        return []
    # within a step: the inputs and the parameters feed the forward, before the gradients and the loss
    order = ("input", "param_norms", "grad_norms", "loss")
    key, (step, index) = min(present.items(), key=lambda kv: (kv[1][0], order.index(kv[0])))
    what = {"loss": "the loss", "grad_norms": "the gradient of", "param_norms": "the parameter",
            "input": f"the inputs going into {bad_input['module']} ({bad_input['module_type']})" if bad_input else ""}[key]
    tensor = names[index] if index is not None and index < len(names) else None
    origin = run.last("non_finite_origin")
    module = origin["module"] if origin else None
    where = module or tensor
    first_step = min(s for s, _ in present.values())
    observation = f"The first non-finite value appeared at step {step} in {what}{' ' + tensor if tensor else ''}."
    if origin:
        observation += f" The first module whose output was NaN/Inf from finite inputs is {module} ({origin['module_type']}), seen at step {origin['step']}."
    finite_losses = [v for v in run.floats("loss")[1][:first_step] if math.isfinite(v)]
    if finite_losses:
        observation += f" Before that the loss went from {finite_losses[0]:.4g} to {finite_losses[-1]:.4g}."
    return [
        Finding(
            rule="non_finite.first",
            category="non_finite",
            severity="error",
            confidence=0.95,
            step=first_step,
            where=where,
            title=f"NaN/Inf first at step {first_step} in {what}{' ' + tensor if tensor else ''}",
            observation=observation,
            hypothesis=(
                "Non-finite values usually follow from steps that are too large (a diverging loss), "
                "from an operation outside its domain (log of 0, division by 0, sqrt of a negative), "
                "or from NaN already present in the data."
            ),
            suggestion=(
                "Look at the module named above and its inputs at that step; check the data for NaN "
                "(torch.isnan(x).any()), and lower the learning rate if the loss was rising before."
            ),
            evidence={"first_step": first_step, "first_in": key, "tensor": tensor, "module": module},
            caveat="Everything measured after the first NaN is meaningless; other findings after this step are symptoms.",
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [first_non_finite]

"""batch_mixing: one sample's output depends on other samples of the batch."""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, rule
from traindebug.store import RunData


def _indices(values: list[int], limit: int = 12) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


@rule("batch_mixing.dependency", "batch_mixing", needs=("batch_mixing",))
def batch_dependency(run: RunData) -> list[Finding]:
    """Output i has a non-zero gradient with respect to input j != i."""
    record = run.last("batch_mixing") or {}
    if not record.get("mixed"):
        return []
    module, side = record.get("first_module"), record.get("side")
    ratio = record["max_ratio"]
    where_text = ""
    if module is not None and side == "input":
        where_text = (
            f" The samples are already mixed in the input of {module or '<model>'}: the code that runs before it "
            "in its parent's forward (a view/reshape/permute) combined them."
        )
    elif module is not None:
        where_text = f" {module or '<model>'} receives unmixed samples and its output mixes them."
    return [
        Finding(
            rule="batch_mixing.dependency",
            category="batch_mixing",
            severity="error" if ratio > T.BATCH_MIXING_CLEAR else "warning",
            confidence=0.9,
            step=record.get("step", 0),
            where=module or None,
            title=f"outputs depend on other samples of the batch{' (from ' + module + ')' if module else ''}",
            observation=(
                f"On a copy of the model with BatchNorm in eval mode, the gradient of sample i's outputs with respect "
                f"to the whole input batch (batch size {record['batch_size']}, from the {record.get('batch_size_from', 'input')}) "
                f"is non-zero for other samples: up to {fmt(ratio)} times the gradient on sample i itself, for input "
                f"samples {_indices(record['offending'])}. Independent samples give exactly zero.{where_text}"
            ),
            hypothesis=(
                "A reshape mixes the batch dimension with another one: typically .view()/.reshape() where a "
                ".transpose()/.permute() was meant (for instance to feed a sequence-first RNN), or a reduction or "
                "softmax over dim 0. Each prediction then uses other samples' data, and the model cannot learn the "
                "per-sample mapping."
            ),
            suggestion=(
                "Print the shapes around the named module; use x.transpose(0, 1) (or batch_first=True) instead of "
                "x.view(T, N, ...), and check the dim of any softmax/sum/mean."
            ),
            evidence={
                "batch_size": record["batch_size"],
                "max_ratio": ratio,
                "offending_inputs": record["offending"],
                "first_module": module,
                "side": side,
                "sources": record.get("sources", []),
            },
            caveat="Layers that legitimately couple samples in training (BatchNorm) were put in eval mode; other deliberate couplings (in-batch attention) would show here too.",
            figures=["batch_dependency"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [batch_dependency]

"""The loss function: what it is, its chance level, and evaluation losses.

Emits once, at the first training loss call, a ``loss_fn`` record: the torch
function's name, input and target shapes and dtypes, the number of classes C
for classification losses and the chance-level loss (ln C for C-way
cross-entropy, ln 2 for binary cross-entropy). Evaluation losses (loss calls
with gradients disabled) go into the step record as ``eval_loss`` (their mean
since the previous step).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, Settings, StepContext
from traindebug.schedule import EVERY_STEP

CLASSIFICATION = ("cross_entropy", "nll_loss")
BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


def describe(value: Any) -> dict[str, Any]:
    """Shape and dtype of a tensor argument (or its Python type)."""
    if isinstance(value, torch.Tensor):
        return {"shape": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
    return {"type": type(value).__name__}


def chance_level(call: LossCall) -> tuple[int | None, float | None]:
    """(number of classes, loss of a uniform prediction) for classification losses."""
    if call.name in CLASSIFICATION and call.input.dim() >= 1:
        classes = call.input.shape[1] if call.input.dim() >= 2 else call.input.shape[0]
        return classes, math.log(classes) if classes > 1 else None
    if call.name in BINARY:
        return 2, math.log(2)
    return None, None


class LossProbe(Probe):
    """Which loss is used, its chance level, and evaluation losses."""

    name = "loss"
    cost = Cost.FREE
    schedule = EVERY_STEP

    def __init__(self) -> None:
        self._described = False
        self._eval: list[torch.Tensor] = []

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if not call.training:
            if call.output.numel() == 1:
                self._eval.append(call.output.float().reshape(()))
            return
        if self._described:
            return
        self._described = True
        classes, chance = chance_level(call)
        ctx.emit(
            "loss_fn",
            {
                "name": call.name,
                "input": describe(call.input),
                "target": describe(call.target),
                "reduction": call.kwargs.get("reduction", "mean"),
                "classes": classes,
                "chance_loss": chance,
                "initial_loss": call.output.float().mean(),
            },
        )

    def after_step(self, ctx: StepContext) -> None:
        if self._eval:
            ctx.record("eval_loss", torch.stack([e.to(self._eval[0].device) for e in self._eval]).mean())
            ctx.record("eval_calls", len(self._eval))
            self._eval = []


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LossProbe()]

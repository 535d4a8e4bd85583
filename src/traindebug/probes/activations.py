"""Activation scale per module: how the signal's size changes through depth.

On due steps (step 0, then every 50 steps) it looks at the output of every
leaf module during the training forward and emits an ``activations`` record
with, per module (in forward order): ``std`` and ``mean_abs`` of the output and
``kind``, the module type. Dead and saturated units are measured by
``probes/unit_health.py`` from the autograd graph.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import Schedule


class ActivationProbe(Probe):
    """Per-leaf-module output scale on scheduled steps."""

    name = "activations"
    cost = Cost.CHEAP
    schedule = Schedule(first=1, every=50)
    wants_forward = True

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._step = -1

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if next(module.children(), None) is not None or not isinstance(output, torch.Tensor):
            return
        if not output.is_floating_point() or output.numel() < 2:
            return
        if ctx.step != self._step:
            self._rows, self._step = [], ctx.step
        name = ctx.run.module_name(module)
        if any(r["module"] == name for r in self._rows):
            return  # a module called twice in one step (weight sharing): first call only
        x = output.detach().float()
        self._rows.append({"module": name, "kind": type(module).__name__, "std": x.std(), "mean_abs": x.abs().mean()})

    def after_step(self, ctx: StepContext) -> None:
        if self._rows and self._step == ctx.step:
            ctx.emit("activations", {"modules": self._rows})
        self._rows = []


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [ActivationProbe()]

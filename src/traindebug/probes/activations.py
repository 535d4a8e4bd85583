"""Activation health per module: scale through depth, dead and saturated units.

On due steps (step 0, then every 50 steps) it looks at the output of every
leaf module during the training forward and emits an ``activations`` record
with, per module (in forward order):

- ``std``: standard deviation of the output,
- ``dead``: fraction of units (features: dim 1, or the last dim of 2-D outputs)
  that are exactly zero for every sample of the batch (ReLU-family units that
  never activate),
- ``saturated``: fraction of outputs within 1e-3 of the bounds of a bounded
  activation (tanh: +-1, sigmoid: 0/1; taxonomy.md), only for modules whose
  output is bounded by construction,
- ``kind``: the module type.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import Schedule

SATURATION_MARGIN = 1e-3  # taxonomy.md: outputs within 1e-3 of the bounds
BOUNDED = {nn.Tanh: (-1.0, 1.0), nn.Sigmoid: (0.0, 1.0), nn.Hardtanh: (-1.0, 1.0), nn.Softsign: (-1.0, 1.0)}


def unit_dead_fraction(output: torch.Tensor) -> torch.Tensor:
    """Fraction of units never nonzero over the batch (units on dim 1, or the last dim)."""
    x = output.detach()
    if x.dim() < 2:
        return torch.zeros((), device=x.device)
    x = x.movedim(1, -1) if x.dim() > 2 else x
    active = (x != 0).reshape(-1, x.shape[-1]).any(dim=0)
    return 1.0 - active.float().mean()


def saturated_fraction(module: nn.Module, output: torch.Tensor) -> torch.Tensor | None:
    """Fraction of outputs of a bounded activation module within the margin of its bounds."""
    for kind, (low, high) in BOUNDED.items():
        if isinstance(module, kind):
            x = output.detach()
            near = (x <= low + SATURATION_MARGIN) | (x >= high - SATURATION_MARGIN)
            return near.float().mean()
    return None


class ActivationProbe(Probe):
    """Per-leaf-module output statistics on scheduled steps."""

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
        sat = saturated_fraction(module, output)
        self._rows.append(
            {
                "module": name,
                "kind": type(module).__name__,
                "std": x.std(),
                "mean_abs": x.abs().mean(),
                "dead": unit_dead_fraction(output),
                "saturated": sat if sat is not None else -1.0,
            }
        )

    def after_step(self, ctx: StepContext) -> None:
        if self._rows and self._step == ctx.step:
            ctx.emit("activations", {"modules": self._rows})
        self._rows = []


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [ActivationProbe()]

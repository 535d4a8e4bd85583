"""Where the first NaN or Inf appears: step, tensor and module.

Every step it checks (on the device) whether the loss is finite; the host reads
that flag every step on CPU and every 32 steps on CUDA (no per-step sync). At
step 0, and once a non-finite value has been seen, it checks every module's
output during the next training forward and emits ``non_finite_origin`` with
the first module whose output is non-finite while its inputs are finite.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, RunContext, Settings, StepContext

CUDA_CHECK_EVERY = 32


def _all_finite(value: Any) -> bool:
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return bool(torch.isfinite(value).all())
    if isinstance(value, (tuple, list)):
        return all(_all_finite(v) for v in value)
    return True


class NonFiniteProbe(Probe):
    """Loss finiteness every step; module-level localisation when needed."""

    name = "non_finite"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        self.wants_forward = True  # step 0: check every module once
        self._flag: torch.Tensor | None = None
        self._found = False
        self._located = False
        self._check_every = 1

    def setup(self, run: RunContext) -> None:
        self._check_every = 1 if run.device.type == "cpu" else CUDA_CHECK_EVERY

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if self._located:
            return
        if ctx.step > 0 and not self._found:
            self.wants_forward = False
            return
        if not _all_finite(output) and _all_finite(args):
            self._located = True
            self.wants_forward = False
            ctx.emit(
                "non_finite_origin",
                {"module": ctx.run.module_name(module), "module_type": type(module).__name__},
            )

    def after_backward(self, ctx: StepContext) -> None:
        if ctx.loss is None:
            return
        bad = ~torch.isfinite(ctx.loss).all()
        self._flag = bad if self._flag is None else self._flag | bad

    def after_step(self, ctx: StepContext) -> None:
        if self._found or self._flag is None or ctx.step % self._check_every:
            return
        if bool(self._flag):
            self._found = True
            self.wants_forward = not self._located


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [NonFiniteProbe()]

"""Where the first NaN or Inf appears: step, tensor and module.

It keeps the losses of the steps and checks that they are finite every step on
CPU and every 32 steps on CUDA (one host sync per check, none per step). At
step 0, and once a non-finite value has been seen, it checks every module's
output during the next training forward and emits ``non_finite_origin`` with
the first module whose output is non-finite while its inputs are finite.
"""

from __future__ import annotations

import math
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


def losses_finite(losses: list[torch.Tensor]) -> bool:
    """Whether every loss value is finite (one host read)."""
    if len(losses) == 1 and losses[0].numel() == 1:
        return math.isfinite(float(losses[0]))
    return bool(torch.isfinite(torch.cat([v.reshape(-1).float() for v in losses])).all())


class NonFiniteProbe(Probe):
    """Loss finiteness every step; module-level localisation when needed."""

    name = "non_finite"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        self.wants_forward = True  # step 0: check every module once
        self._losses: list[torch.Tensor] = []
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
        if ctx.loss is not None and not self._found:
            self._losses.append(ctx.loss)

    def after_step(self, ctx: StepContext) -> None:
        if self._found or not self._losses or ctx.step % self._check_every:
            return
        losses, self._losses = self._losses, []
        if not losses_finite(losses):
            self._found = True
            self.wants_forward = not self._located


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [NonFiniteProbe()]

"""Modules that the first training forward runs both without and with gradients.

A fixed-point (deep-equilibrium) layer iterates its cell under ``torch.no_grad()``
until it converges and then applies it once more with the graph on: Jacobian-free or
"phantom" gradients (Fung et al. 2022, "JFB: Jacobian-Free Backpropagation for
Implicit Networks"; Geng et al. 2021, "On Training Implicit Models"); refinement
loops that recycle their output run the same way. The output then depends on the
parameters through the solve too, which autograd leaves out on purpose, so the
finite-difference check disagrees with it by design.

At step 0 the probe counts, per module, the calls inside the training forward with
gradients disabled (``on_detached_forward``) and enabled, and at the first backward
emits a ``detached_calls`` record: ``modules``, the modules called both ways, each
with ``without_grad`` and ``with_grad`` counts (empty when there are none).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import STEP_ZERO


class DetachedCallsProbe(Probe):
    """Counts module calls with and without gradients inside the step-0 training forward."""

    name = "detached_calls"
    cost = Cost.FREE
    schedule = STEP_ZERO
    wants_forward = True

    def __init__(self) -> None:
        self._without: Counter[str] = Counter()
        self._with: Counter[str] = Counter()
        self._emitted = False

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        self._with[ctx.run.module_name(module)] += 1

    def on_detached_forward(self, ctx: StepContext, module: nn.Module) -> None:
        self._without[ctx.run.module_name(module)] += 1

    def before_backward(self, ctx: StepContext) -> None:
        if self._emitted:
            return
        self._emitted = True
        both = sorted(set(self._without) & set(self._with))
        ctx.emit("detached_calls", {"modules": [
            {"module": name, "without_grad": self._without[name], "with_grad": self._with[name]} for name in both
        ]})


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [DetachedCallsProbe()]

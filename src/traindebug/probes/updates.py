"""What each optimizer step changed: update norms, weight norms, ratios.

Parameters are copied into preallocated buffers just before the step and
compared just after it, on the steps of ``schedule.PER_TENSOR``. Records:
- ``param_norms``: per-tensor L2 norm before the update.
- ``update_norms``: per-tensor L2 norm of the change made by the step.
- ``update_ratio``: update_norms / param_norms (per tensor).
"""

from __future__ import annotations

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, RunContext, Settings, StepContext
from traindebug.schedule import PER_TENSOR


class UpdateProbe(Probe):
    """Update-to-weight ratio and zero updates, every step."""

    name = "updates"
    cost = Cost.CHEAP
    schedule = PER_TENSOR

    def __init__(self) -> None:
        self._before: list[torch.Tensor] = []
        self._armed = False

    def setup(self, run: RunContext) -> None:
        self._before = [p.detach().clone() for _, p in run.params]

    def on_params_added(self, run: RunContext) -> None:
        self._before += [p.detach().clone() for _, p in run.params[len(self._before) :]]

    def before_step(self, ctx: StepContext) -> None:
        if not ctx.params:
            return
        current = [p.detach() for _, p in ctx.params]
        torch._foreach_copy_(self._before, current)
        self._armed = True

    def after_step(self, ctx: StepContext) -> None:
        if not self._armed or not ctx.params:
            return
        self._armed = False
        current = [p.detach() for _, p in ctx.params]
        weight = torch.stack([n.float() for n in torch._foreach_norm(self._before)])
        torch._foreach_sub_(self._before, current)  # in place: the buffer now holds -update
        update = torch.stack([n.float() for n in torch._foreach_norm(self._before)])
        ctx.record("param_norms", weight)
        ctx.record("update_norms", update)
        ctx.record("update_ratio", update / weight.clamp_min(1e-12))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [UpdateProbe()]

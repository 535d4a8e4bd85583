"""Distance of the parameters from their initial values (Cockpit's ``Distance``).

Keeps one copy of the parameters as they were at the first step and records,
on due steps, ``distance_init``: per tensor, the L2 norm of theta - theta_0,
taken before the step's update (where Cockpit takes it). The size of each
update (Cockpit's ``UpdateSize``) is already in every step record as
``update_norms`` (``probes/updates.py``), so it is not measured twice.
"""

from __future__ import annotations

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, RunContext, Settings, StepContext
from traindebug.probes.per_sample import preset_schedule
from traindebug.schedule import NEVER, Schedule


class DistanceProbe(Probe):
    """Per-tensor distance from initialization."""

    name = "distance"
    cost = Cost.CHEAP

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self._init: list[torch.Tensor] = []

    def setup(self, run: RunContext) -> None:
        self._init = [p.detach().clone() for _, p in run.params]

    def on_params_added(self, run: RunContext) -> None:
        self._init += [p.detach().clone() for _, p in run.params[len(self._init) :]]

    def before_step(self, ctx: StepContext) -> None:
        if not self._init:
            return
        current = [p.detach() for _, p in ctx.params[: len(self._init)]]
        norms = torch._foreach_norm(torch._foreach_sub(current, self._init))
        ctx.record("distance_init", torch.stack([n.float() for n in norms]))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    schedule = preset_schedule(settings, DistanceProbe.name)
    return [] if schedule is NEVER else [DistanceProbe(schedule)]

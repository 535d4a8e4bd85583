"""Gradient growth through a module applied to its own output again and again, at step 0.

A recurrence written by hand with a weighted module and no activation in between
(``z = K(z)`` in a loop: latent linear dynamics, a linear state-space layer) multiplies
the backward signal by the module's Jacobian at every call; with a gain above 1 it grows
exponentially with the number of calls. ``probes/recurrence.py`` measures nn.RNN-style
modules, and unit_health's ``grad_rms`` chains of activations; this probe covers the
weighted modules called at least ``MIN_CALLS`` times in the first training forward.

It keeps the outputs of each such module's first and latest call and, before the user's
backward (the graph is still there), backpropagates a fixed random projection of the last
call's output to the first call's output, keeping the graph for the user's backward. A
module whose calls are not chained (two towers of a siamese network, an encoder applied
to each time step's input) gives no gradient there and is left out. It emits a
``recurrence`` record in the format of ``probes/recurrence.py`` (per module:
``time_steps``, the number of calls, ``first_rms`` and ``last_rms``, the RMS gradient at
the first call's output and of the projection, and their ``ratio``), which the same
rules read.

The extra backward runs once, at step 0, on the user's graph: tensor hooks the script
registered on the chain between the two calls run one more time.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext, describe_exception
from traindebug.schedule import STEP_ZERO

#: calls of one module in one forward that make a recurrence (a module used twice, as two
#: towers or a shared block, is not one)
MIN_CALLS = 4


class RepeatedCallsProbe(Probe):
    """Backward gain from the last to the first call of a module called several times per forward."""

    name = "repeated_calls"
    cost = Cost.EXTRA_BACKWARD
    schedule = STEP_ZERO
    wants_forward = True

    def __init__(self) -> None:
        #: module name -> [calls, first output, latest output, module type]
        self._calls: dict[str, list[Any]] = {}

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if ctx.backward_count or next(module.parameters(recurse=False), None) is None:
            return
        if not isinstance(output, torch.Tensor) or output.grad_fn is None or not output.is_floating_point():
            return
        name = ctx.run.module_name(module)
        entry = self._calls.setdefault(name, [0, output, output, type(module).__name__])
        entry[0] += 1
        entry[2] = output

    def before_backward(self, ctx: StepContext) -> None:
        calls, self._calls = self._calls, {}
        if ctx.backward_count:
            return
        rows = []
        for name, (count, first, last, kind) in calls.items():
            if count < MIN_CALLS:
                continue
            try:
                row = _chain_gain(first, last)
            except Exception as exc:  # noqa: BLE001 - a graph that cannot be walked twice is said so
                rows.append({"module": name, "kind": kind, "time_steps": count, "skipped": describe_exception(exc)})
                continue
            if row is not None:
                rows.append({"module": name, "kind": kind, "time_steps": count, **row})
        if rows:
            ctx.emit("recurrence", {"modules": rows})


def _chain_gain(first: torch.Tensor, last: torch.Tensor) -> dict[str, Any] | None:
    """RMS gradient at ``first`` of a random projection of ``last``, or None when ``last``
    does not depend on ``first`` (calls that are not chained)."""
    generator = torch.Generator(device=last.device.type).manual_seed(0)
    direction = torch.randn(last.shape, generator=generator, device=last.device, dtype=last.dtype)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad((last * direction).sum(), first, retain_graph=True, allow_unused=True)
    if grad is None:
        return None
    first_rms = grad.detach().float().pow(2).mean().sqrt()
    last_rms = direction.float().pow(2).mean().sqrt()
    return {"first_rms": first_rms, "last_rms": last_rms, "ratio": first_rms / last_rms}


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [RepeatedCallsProbe()]

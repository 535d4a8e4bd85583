"""Gradient growth through time in recurrent modules (nn.RNN, nn.LSTM, nn.GRU), at step 0.

A recurrent module backpropagates through one Jacobian per time step; when their gain is
above 1 the gradient grows exponentially with the distance in time (Pascanu et al., "On
the difficulty of training recurrent neural networks", ICML 2013). The growth cannot be
read from the parameters' gradients alone (they sum over time), so this probe measures it
directly: on the first training forward of each recurrent module it keeps up to
``SEQUENCES`` of its input sequences, and before the first optimizer step (weights still
at their initial values) backpropagates a fixed random projection of the last time step's
output to those inputs. It emits one ``recurrence`` record with, per module, the RMS
input gradient at the first and at the last time step and their ratio: how much a signal
grows on its way back through ``time_steps - 1`` recurrent steps.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from traindebug.isolation import isolated
from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext, describe_exception
from traindebug.probes.recurrent_cells import SEQUENCES
from traindebug.schedule import STEP_ZERO



class RecurrenceProbe(Probe):
    """Input-gradient RMS at the first vs the last time step of each recurrent module."""

    name = "recurrence"
    cost = Cost.EXTRA_BACKWARD
    schedule = STEP_ZERO
    wants_forward = True

    def __init__(self) -> None:
        #: module name -> (module, input copy, hidden-state copy)
        self._seen: dict[str, tuple[nn.RNNBase, torch.Tensor, Any]] = {}
        self._done = False

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if self._done or not isinstance(module, nn.RNNBase) or not args:
            return
        x = args[0]
        if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() != 3:
            return  # packed or unbatched sequences: not measured
        name = ctx.run.module_name(module)
        if name in self._seen:
            return
        batch_dim = 0 if module.batch_first else 1
        n = min(SEQUENCES, x.shape[batch_dim])
        hx = args[1] if len(args) > 1 else None
        self._seen[name] = (module, x.narrow(batch_dim, 0, n).detach().clone(), _first_sequences(hx, n))

    def before_step(self, ctx: StepContext) -> None:
        if self._done or not self._seen:
            return
        self._done = True
        rows = []
        for name, (module, x, hx) in self._seen.items():
            try:
                rows.append({"module": name, "kind": type(module).__name__, **_time_gain(module, x, hx)})
            except Exception as exc:  # noqa: BLE001 - a module that cannot be re-run is said so
                rows.append({"module": name, "kind": type(module).__name__, "skipped": describe_exception(exc)})
        self._seen.clear()
        ctx.emit("recurrence", {"modules": rows})

    def after_step(self, ctx: StepContext) -> None:
        self.before_step(ctx)  # L-BFGS: the forward runs inside optimizer.step(closure)


def _first_sequences(hx: Any, n: int) -> Any:
    """Detached copies of the first ``n`` sequences of a hidden state (batch is dim 1), or None."""
    if isinstance(hx, torch.Tensor) and hx.dim() == 3:
        return hx.narrow(1, 0, n).detach().clone()
    if isinstance(hx, tuple) and all(isinstance(h, torch.Tensor) and h.dim() == 3 for h in hx):
        return tuple(h.narrow(1, 0, n).detach().clone() for h in hx)
    return None


def _time_gain(module: nn.RNNBase, x: torch.Tensor, hx: Any) -> dict[str, Any]:
    """RMS gradient of a random projection of the last output w.r.t. the first and last inputs."""
    time_dim = 1 if module.batch_first else 0
    steps = x.shape[time_dim]
    with isolated(module):
        inputs = x.detach().to(module.weight_ih_l0.dtype).requires_grad_(True)  # outside the user's autocast
        out, _ = module(inputs, hx)
        last = out.select(time_dim, steps - 1)
        last = last[..., : last.shape[-1] // (2 if module.bidirectional else 1)]  # forward direction only
        generator = torch.Generator(device=last.device.type).manual_seed(0)
        direction = torch.randn(last.shape, generator=generator, device=last.device, dtype=last.dtype)
        (grad,) = torch.autograd.grad((last * direction).sum(), inputs)
    first_rms = grad.select(time_dim, 0).detach().float().pow(2).mean().sqrt()
    last_rms = grad.select(time_dim, steps - 1).detach().float().pow(2).mean().sqrt()
    # no gradient at the last step (dead ReLU units everywhere) leaves the ratio undefined: nan
    ratio = torch.where(last_rms > 0, first_rms / last_rms.clamp_min(torch.finfo(torch.float32).tiny), torch.nan)
    return {"time_steps": steps, "first_rms": first_rms, "last_rms": last_rms, "ratio": ratio}


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [RecurrenceProbe()]

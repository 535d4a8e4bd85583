"""Scale of the data entering the first weighted layer of the model.

On due steps (the first 5, then every 25) it looks at the input of the first
leaf module with weights that runs in the training forward on floating-point
data (Linear, Conv, RNN...; embedding lookups of integer indices are passed
over, so tabular models measure the layer that gets the embeddings together
with the numeric columns; a normalization layer first means the model
normalises its own input and nothing is measured). A functional model's input is
found in the autograd graph of the loss (``probes/autograd_graph.py``). Features are the
channel dimension (dim 1) for convolutions and the last dimension otherwise. It emits an ``input_stats``
record per due step:

- ``module``, ``module_type``, ``features``,
- ``rms``: root mean square over the whole batch,
- ``feature_rms_max`` / ``feature_rms_median``: over features,
- ``abs_mean_max``: largest absolute per-feature mean (offsets),
- ``std_max``: largest per-feature standard deviation,
- ``std_min``: smallest non-zero per-feature standard deviation (features squeezed to near
  constants next to others of unit scale).

At the end an ``input_constant`` record gives the fraction of features that
never changed over all observed batches.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.autograd_graph import graph_input
from traindebug.probes.base import Cost, LossCall, Probe, RunContext, Settings, StepContext
from traindebug.schedule import Schedule

NORMALIZING = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm)
CHANNEL_FIRST = (nn.modules.conv._ConvNd,)


def feature_matrix(x: torch.Tensor, channel_first: bool) -> torch.Tensor:
    """The input as (samples, features): channels (dim 1) for convolutions, else the last dim."""
    if channel_first and x.dim() >= 3:
        x = x.movedim(1, -1)
    return x.reshape(-1, x.shape[-1]) if x.dim() >= 2 else x.reshape(-1, 1)


class InputScaleProbe(Probe):
    """First-layer input statistics on scheduled steps."""

    name = "inputs"
    cost = Cost.CHEAP
    schedule = Schedule(first=5, every=25)
    wants_forward = True

    def __init__(self) -> None:
        self._done_step = -1
        self._low: torch.Tensor | None = None
        self._high: torch.Tensor | None = None
        self._skip = False

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if self._skip or self._done_step == ctx.step or next(module.children(), None) is not None:
            return
        if not any(True for _ in module.parameters(recurse=False)):
            return
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if x is not None and not x.is_floating_point():
            return  # indices into an embedding table: the data enters at the next weighted layer
        self._done_step = ctx.step
        if isinstance(module, NORMALIZING):
            self._skip = True  # the model normalises its own input
            return
        if x is None or x.numel() < 2:
            return
        m = feature_matrix(x.detach().float(), isinstance(module, CHANNEL_FIRST))
        self._measure(ctx, ctx.run.module_name(module), type(module).__name__, m)

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        """A functional model (no module ran): its input as saved by its first weighted operation."""
        if self._skip or not call.training or ctx.batch is not None or self._done_step == ctx.step:
            return
        if not self.schedule.due(ctx.step) or call.input.grad_fn is None:
            return
        saved = graph_input(call.input)
        if saved is None or saved[0].numel() < 2:
            return
        self._done_step = ctx.step
        x, op = saved
        self._measure(ctx, op, "functional", feature_matrix(x.detach().float(), op == "ConvolutionBackward0"))

    def _measure(self, ctx: StepContext, name: str, module_type: str, m: torch.Tensor) -> None:
        """Emit the statistics of the (samples, features) input matrix ``m``."""
        rms = m.pow(2).mean(0).sqrt()
        std = m.std(0) if m.shape[0] > 1 else torch.zeros_like(rms)
        low, high = m.amin(0), m.amax(0)
        if self._low is None or self._low.shape != low.shape:
            self._low, self._high = low, high
        else:
            self._low, self._high = torch.minimum(self._low, low), torch.maximum(self._high, high)
        ctx.emit(
            "input_stats",
            {
                "module": name,
                "module_type": module_type,
                "features": m.shape[1],
                "rms": m.pow(2).mean().sqrt(),
                "feature_rms_max": rms.max(),
                "feature_rms_median": rms.median(),
                "abs_mean_max": m.mean(0).abs().max(),
                "std_max": std.max(),
                "std_min": torch.where(std > 0, std, std.max()).min(),
            },
        )

    def finish(self, run: RunContext, emit: Callable[[dict[str, Any]], None]) -> None:
        if self._low is not None and self._high is not None:
            constant = (self._low == self._high).float()
            emit({"kind": "input_constant", "fraction": constant.mean(), "features": constant.numel()})


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [InputScaleProbe()]

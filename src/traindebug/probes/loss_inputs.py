"""What goes into the loss function: output normalisation, shapes, target values.

On the first ``LOSS_INPUT_CALLS`` training calls of each loss function, and on
its first call of each step in ``LATER_STEPS`` (outputs of a freshly initialised model can
look normalised by chance; after some training they no longer do), it emits a
``loss_input`` record with:

- ``name``, ``input_shape``/``target_shape``, dtypes, ``broadcast_shape`` (the
  shape elementwise losses actually compute on, None if not broadcastable),
- ``input_min``/``input_max``/``input_rms`` of the model output,
- for inputs with a class dimension (dim 1; the last one for ``ctc_loss``'s
  (T, N, C) log-probabilities): ``row_sum_dev`` (largest ``|sum - 1|`` over rows:
  0 for probabilities) and ``row_logsumexp_dev`` (largest ``|logsumexp|``: 0 for
  log-probabilities),
- of the target: ``target_min``/``target_max``/``target_mean``/``target_std``/
  ``target_rms``, ``target_integral`` (all values whole numbers) and
  ``target_distinct`` (number of distinct values),
- ``has_weight``: the loss got class weights (``weight``/``pos_weight``).

Statistics use the first ``SAMPLE_ROWS`` rows of the batch and stay on the device
(no host read: the distinct values are counted on the sorted targets, not with
``unique``, whose result size the host would have to wait for).
"""

from __future__ import annotations

from typing import Any

import torch

from traindebug import thresholds as T
from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, Settings, StepContext


#: steps at which one more call is inspected
LATER_STEPS = (10, 50, 200)
#: statistics use at most this many rows of the batch (a language model's logits can be GBs)
SAMPLE_ROWS = 512


def _broadcast_shape(a: torch.Size, b: torch.Size) -> list[int] | None:
    try:
        return list(torch.broadcast_shapes(a, b))
    except RuntimeError:
        return None


#: autograd nodes that only reshape or copy: the op that made a loss input lies behind them
SHAPE_ONLY = {"ViewBackward0", "SqueezeBackward0", "SqueezeBackward1", "UnsqueezeBackward0", "ReshapeAliasBackward0",
              "UnsafeViewBackward0", "CloneBackward0", "TransposeBackward0", "PermuteBackward0", "ToCopyBackward0",
              "SelectBackward0", "SliceBackward0", "AliasBackward0"}


def last_op(x: torch.Tensor) -> str | None:
    """Name of the autograd node that computed ``x``, past reshapes and copies (None for a leaf
    or a tensor without graph): ``SigmoidBackward0`` for a model that ends in a sigmoid."""
    node = x.grad_fn
    while node is not None and type(node).__name__ in SHAPE_ONLY and node.next_functions:
        node = node.next_functions[0][0]
    return None if node is None else type(node).__name__


def loss_input_stats(call: LossCall) -> dict[str, Any]:
    """Statistics of one loss call's input and target (tensors stay on device)."""
    x = call.input.detach()
    target = call.target
    stats: dict[str, Any] = {
        "name": call.name,
        "input_shape": list(x.shape),
        "input_dtype": str(x.dtype).replace("torch.", ""),
        "has_weight": any(call.kwargs.get(k) is not None for k in ("weight", "pos_weight")),
        "input_op": last_op(call.input),
    }
    if call.name == "poisson_nll_loss":
        stats["log_input"] = bool(call.kwargs.get("log_input", True))
    if x.is_floating_point() and x.numel():
        xf = x[:SAMPLE_ROWS].float() if x.dim() else x.float()
        stats.update(input_min=xf.min(), input_max=xf.max(), input_rms=xf.pow(2).mean().sqrt())
        classes = -1 if call.name == "ctc_loss" else 1
        if xf.dim() >= 2 and xf.shape[classes] > 1:
            stats["row_sum_dev"] = (xf.sum(classes) - 1).abs().max()
            stats["row_logsumexp_dev"] = xf.logsumexp(classes).abs().max()
    if isinstance(target, torch.Tensor) and target.numel():
        t = target.detach()
        tf = t[:SAMPLE_ROWS].float() if t.dim() else t.float()
        stats.update(
            target_shape=list(t.shape),
            target_dtype=str(t.dtype).replace("torch.", ""),
            broadcast_shape=_broadcast_shape(x.shape, t.shape),
            target_min=tf.min(),
            target_max=tf.max(),
            target_mean=tf.mean(),
            target_std=tf.std() if tf.numel() > 1 else 0.0,
            target_rms=tf.pow(2).mean().sqrt(),
            target_integral=(tf == tf.round()).all(),
            target_distinct=distinct_count(tf),
        )
    return stats


def distinct_count(values: torch.Tensor) -> torch.Tensor:
    """Number of distinct values, as a device scalar (changes between neighbours once sorted)."""
    flat = values.reshape(-1).sort().values
    return (flat[1:] != flat[:-1]).sum() + (flat.numel() > 0)


class LossInputProbe(Probe):
    """Statistics of the first few training loss calls' inputs and targets."""

    name = "loss_inputs"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        #: per loss function (a multi-task model has several): calls recorded, last step recorded
        self._calls: dict[str, int] = {}
        self._last_step: dict[str, int] = {}

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if not call.training:
            return
        early = self._calls.get(call.name, 0) < T.LOSS_INPUT_CALLS
        if not early and (ctx.step not in LATER_STEPS or ctx.step == self._last_step.get(call.name)):
            return
        self._calls[call.name] = self._calls.get(call.name, 0) + 1
        self._last_step[call.name] = ctx.step
        ctx.emit("loss_input", loss_input_stats(call))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LossInputProbe()]

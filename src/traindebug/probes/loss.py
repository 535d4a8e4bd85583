"""The loss function: what it is, its chance level, and evaluation losses.

Emits once, at the first training loss call, a ``loss_fn`` record: the torch
function's name, input and target shapes and dtypes, the number of classes C
for classification losses and the chance-level loss (ln C for C-way
cross-entropy, ln 2 for binary cross-entropy, computed with the loss's own
options: class weights, pos_weight and a summed reduction change it) and
the floor loss (the same loss of a prediction equal to the targets: above 0
for soft targets and label smoothing).
Evaluation losses (loss calls with gradients disabled) go into the step record
as ``eval_loss`` (their mean since the previous step) and, when there were two to
EVAL_STREAMS_MAX of them, as ``eval_losses`` in the order called (a script that
evaluates the training and the validation set one after the other in one
evaluation: the overfitting rule tells them apart by position). Training loss calls with
a scalar output go into it as ``loss_fn_value`` (their sum in the step) and
``loss_fn_calls``: the backpropagated loss minus that sum is whatever the script
added by hand (a penalty, an auxiliary term). A step with no backward pass (a
meta-learner that writes its update into ``.grad`` by hand) gets their mean as its
``loss``, with ``loss_from_calls``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, Settings, StepContext
from traindebug.schedule import EVERY_STEP

CLASSIFICATION = ("cross_entropy", "nll_loss")
#: most evaluation losses of one step kept one by one (more are batches of a loader: only their mean)
EVAL_STREAMS_MAX = 4
BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


def describe(value: Any) -> dict[str, Any]:
    """Shape and dtype of a tensor argument (or its Python type)."""
    if isinstance(value, torch.Tensor):
        return {"shape": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
    return {"type": type(value).__name__}


def uniform_prediction(call: LossCall) -> torch.Tensor | None:
    """The model output that says nothing: equal logits, log(1/C), or probability 1/2."""
    x = call.input.detach()
    if call.name == "cross_entropy" or call.name == "binary_cross_entropy_with_logits":
        return torch.zeros_like(x)
    if call.name == "nll_loss" and x.dim() >= 2:
        return torch.full_like(x, -math.log(x.shape[1]))
    if call.name == "binary_cross_entropy":
        return torch.full_like(x, 0.5)
    return None


def ideal_prediction(call: LossCall) -> torch.Tensor | None:
    """The output that reproduces the call's targets exactly (None if there is no such output).

    Its loss is the floor the model can reach: 0 for hard labels, the targets' entropy
    for soft ones (probability targets, label smoothing, BCE on values inside (0, 1)).
    """
    x, t = call.input.detach(), call.target
    if not isinstance(t, torch.Tensor):
        return None
    t = t.detach()
    if call.name in BINARY and t.shape == x.shape:
        p = t.to(x.dtype).clamp(0.0, 1.0)
        return torch.logit(p, eps=1e-6) if call.name == "binary_cross_entropy_with_logits" else p
    if call.name != "cross_entropy" or x.dim() < 2:
        return None
    classes = x.shape[1]
    if t.is_floating_point() and t.shape == x.shape:
        q = t.to(x.dtype)
    elif not t.is_floating_point() and t.dim() == x.dim() - 1:
        q = torch.nn.functional.one_hot(t.clamp(0, classes - 1), classes).movedim(-1, 1).to(x.dtype)
    else:
        return None
    smoothing = float(call.kwargs.get("label_smoothing", 0.0) or 0.0)
    return ((1 - smoothing) * q + smoothing / classes).clamp_min(1e-12).log()


def loss_of(call: LossCall, prediction: torch.Tensor | None) -> float | None:
    """The call's loss function, options and targets applied to another prediction (None on failure)."""
    if prediction is None:
        return None
    try:
        with torch.no_grad():
            value = float(call.recompute(prediction).float().mean())
    except Exception:  # noqa: BLE001 - unusual targets or options: no value
        return None
    return value if math.isfinite(value) else None


def chance_level(call: LossCall) -> tuple[int | None, float | None]:
    """(number of classes, loss of a uniform prediction) for classification losses.

    The chance level is the user's own loss function, with its options (class weights,
    pos_weight, reduction, label smoothing) and the call's targets, applied to a uniform
    prediction: ln C for a plain mean cross-entropy, but a weighted or summed loss has its own.
    """
    classes = None
    if call.name in CLASSIFICATION and call.input.dim() >= 1:
        classes = call.input.shape[1] if call.input.dim() >= 2 else call.input.shape[0]
    elif call.name in BINARY:
        classes = 2
    if classes is None or classes < 2:
        return classes, None
    chance = loss_of(call, uniform_prediction(call))
    return classes, chance if chance is not None and chance > 0 else math.log(classes)


def _stacked(values: list[torch.Tensor]) -> torch.Tensor:
    """Scalars of one step as one tensor (on the first one's device)."""
    return torch.stack([v.to(values[0].device) for v in values])


class LossProbe(Probe):
    """Which loss is used, its chance level, and evaluation losses."""

    name = "loss"
    cost = Cost.FREE
    schedule = EVERY_STEP

    def __init__(self) -> None:
        self._described = False
        self._eval: list[torch.Tensor] = []
        self._train: list[torch.Tensor] = []

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if call.output.numel() == 1:
            (self._train if call.training else self._eval).append(call.output.float().reshape(()))
        if not call.training:
            return
        if self._described:
            return
        self._described = True
        classes, chance = chance_level(call)
        ctx.emit(
            "loss_fn",
            {
                "name": call.name,
                "input": describe(call.input),
                "target": describe(call.target),
                "reduction": call.kwargs.get("reduction", "mean"),
                "classes": classes,
                "chance_loss": chance,
                "floor_loss": loss_of(call, ideal_prediction(call)) if chance else None,
                "initial_loss": call.output.float().mean(),
            },
        )

    def after_step(self, ctx: StepContext) -> None:
        if self._train:
            train = self._train
            total = train[0] if len(train) == 1 else _stacked(train).sum()
            ctx.record("loss_fn_value", total)
            ctx.record("loss_fn_calls", len(train))
            if ctx.backward_count == 0:
                ctx.record("loss", total / len(train))
                ctx.record("loss_from_calls", True)
            self._train = []
        if self._eval:
            losses = _stacked(self._eval)
            ctx.record("eval_loss", losses.mean())
            ctx.record("eval_calls", len(self._eval))
            if 1 < len(self._eval) <= EVAL_STREAMS_MAX:
                ctx.record("eval_losses", losses)
            self._eval = []


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LossProbe()]

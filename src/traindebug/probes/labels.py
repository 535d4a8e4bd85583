"""Class labels seen by the training loss: per-batch histograms and totals.

For classification losses (cross-entropy, NLL with class-index targets; binary
cross-entropy with targets of one value per sample) it counts the labels of
every training loss call on the device (``index_add_``, no host sync) and
records in each step record:

- ``label_hist``: the step's label histogram (classes <= ``MAX_HIST_CLASSES``),
- ``label_entropy``: entropy (nats) of the step's label distribution,
- ``label_n``: number of labels in the step.

At the end it emits a ``labels`` record: ``counts`` over the whole run,
``classes``, the loss ``name``, ``weighted`` (class weights given),
``dense`` (more labels than samples per batch: per-token or per-pixel labels,
whose class frequencies are naturally skewed), ``steps``
and ``made_steps``: steps with several loss calls, each with targets of a
single class but different classes between calls, as in a GAN's real/fake
targets built with torch.ones/zeros rather than read from data.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, RunContext, Settings, StepContext
from traindebug.probes.loss import BINARY, CLASSIFICATION

#: per-step histograms are recorded up to this many classes (entropy always)
MAX_HIST_CLASSES = 64


def class_labels(call: LossCall) -> tuple[torch.Tensor, torch.Tensor, int] | None:
    """(flat integer labels, their 0/1 weights, number of classes) of a classification call, or None.

    Labels equal to ``ignore_index`` get weight 0 (no host sync to filter them).
    """
    x, t = call.input, call.target
    if not isinstance(t, torch.Tensor) or t.numel() == 0:
        return None
    if call.name in CLASSIFICATION and not t.is_floating_point() and x.dim() >= 2:
        classes = x.shape[1]
        labels = t.reshape(-1).long()
        keep = (labels != call.kwargs.get("ignore_index", -100)).float()
        return labels.clamp(0, classes - 1), keep, classes
    if call.name in BINARY and t.numel() == t.shape[0]:
        labels = (t.reshape(-1) >= 0.5).long()
        return labels, torch.ones(labels.shape, device=labels.device), 2
    return None


def more_labels_than_samples(ctx: StepContext, n_labels: int) -> bool:
    """Whether a call has more labels than the model input has samples (sequence/pixel labels)."""
    batch = ctx.batch
    x = batch.args[0] if batch is not None and batch.args else None
    if not isinstance(x, torch.Tensor) or x.dim() == 0:
        return False
    return n_labels > max(x.shape[:2])


def entropy(counts: torch.Tensor) -> torch.Tensor:
    """Entropy (nats) of a histogram."""
    p = counts / counts.sum().clamp_min(1)
    return -(p * p.clamp_min(1e-12).log()).sum()


class LabelProbe(Probe):
    """Per-step label histograms and run totals for classification losses."""

    name = "labels"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        self._total: torch.Tensor | None = None
        self._step: torch.Tensor | None = None
        self._n = 0
        self._loss = ""
        self._weighted = False
        self._calls = 0  # calls in the current step
        self._constant: torch.Tensor | None = None  # single-class calls in the current step
        self._steps = 0
        self._made: torch.Tensor | None = None
        self._dense = False

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if not call.training:
            return
        found = class_labels(call)
        if found is None:
            return
        labels, keep, classes = found
        if self._total is None or self._total.numel() != classes:
            self._total = torch.zeros(classes, device=labels.device)
            self._loss = call.name
        self._weighted = self._weighted or any(call.kwargs.get(k) is not None for k in ("weight", "pos_weight"))
        counts = torch.zeros(classes, device=labels.device).index_add_(0, labels, keep)
        self._step = counts if self._step is None or self._step.numel() != classes else self._step + counts
        self._n += labels.numel()
        self._dense = self._dense or more_labels_than_samples(ctx, labels.numel())
        self._calls += 1
        constant = ((counts > 0).sum() == 1).float()
        self._constant = constant if self._constant is None else self._constant + constant

    def after_step(self, ctx: StepContext) -> None:
        if self._step is None or self._total is None:
            return
        counts, self._step = self._step, None
        made = ((self._constant == self._calls) & ((counts > 0).sum() >= 2)).float() if self._calls >= 2 else None
        if made is not None:
            self._made = made if self._made is None else self._made + made
        self._steps += 1
        self._calls, self._constant = 0, None
        if counts.numel() == self._total.numel():
            self._total += counts
        if counts.numel() <= MAX_HIST_CLASSES:
            ctx.record("label_hist", counts)
        ctx.record("label_entropy", entropy(counts))
        ctx.record("label_n", self._n)
        self._n = 0

    def finish(self, run: RunContext, emit: Callable[[dict[str, Any]], None]) -> None:
        if self._total is not None:
            emit(
                {
                    "kind": "labels",
                    "counts": self._total,
                    "classes": self._total.numel(),
                    "name": self._loss,
                    "weighted": self._weighted,
                    "dense": self._dense,
                    "steps": self._steps,
                    "made_steps": self._made if self._made is not None else 0,
                }
            )


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LabelProbe()]

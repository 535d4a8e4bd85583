"""Class labels seen by the training loss: per-batch histograms and totals.

For classification losses (cross-entropy, NLL with class-index targets; binary
cross-entropy with targets of one value per sample) it counts the labels of
every training loss call on the device (``torch.histc``, no host sync) and
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


def class_labels(call: LossCall) -> tuple[torch.Tensor, int] | None:
    """(flat labels as floats, number of classes) of a classification call, or None.

    Labels equal to ``ignore_index`` become -1, outside every class bin.
    """
    x, t = call.input, call.target
    if not isinstance(t, torch.Tensor) or t.numel() == 0:
        return None
    if call.name in CLASSIFICATION and not t.is_floating_point() and x.dim() >= 2:
        classes = x.shape[1]
        labels = t.reshape(-1)
        ignore = call.kwargs.get("ignore_index", -100)
        if 0 <= ignore < classes:
            labels = labels.masked_fill(labels == ignore, -1)
        return labels.float(), classes
    if call.name in BINARY and t.numel() == t.shape[0]:
        return (t.reshape(-1) >= 0.5).float(), 2
    return None


def label_counts(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Histogram of float class labels 0..classes-1 on their device (others ignored, no host sync)."""
    return torch.histc(labels, bins=classes, min=-0.5, max=classes - 0.5)


def more_labels_than_samples(ctx: StepContext, n_labels: int) -> bool:
    """Whether a call has more labels than the model input has samples (sequence/pixel labels)."""
    batch = ctx.batch
    x = batch.args[0] if batch is not None and batch.args else None
    if not isinstance(x, torch.Tensor) or x.dim() == 0:
        return False
    return n_labels > max(x.shape[:2])


def entropy(counts: torch.Tensor) -> torch.Tensor:
    """Entropy (nats) of a histogram."""
    return torch.special.entr(counts / counts.sum().clamp_min(1)).sum()


class LabelProbe(Probe):
    """Per-step label histograms and run totals for classification losses."""

    name = "labels"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        self._total: torch.Tensor | None = None
        self._calls: list[torch.Tensor] = []  # label counts of each training call in this step
        self._n = 0
        self._loss = ""
        self._weighted = False
        self._steps = 0
        self._made: torch.Tensor | None = None
        self._dense = False

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if not call.training:
            return
        found = class_labels(call)
        if found is None:
            return
        labels, classes = found
        if self._total is None or self._total.numel() != classes:
            self._total = torch.zeros(classes, device=labels.device)
            self._loss = call.name
            self._calls, self._n = [], 0
        self._weighted = self._weighted or any(call.kwargs.get(k) is not None for k in ("weight", "pos_weight"))
        self._calls.append(label_counts(labels, classes))
        self._n += labels.numel()
        self._dense = self._dense or more_labels_than_samples(ctx, labels.numel())

    def after_step(self, ctx: StepContext) -> None:
        if not self._calls or self._total is None:
            return
        calls, self._calls = self._calls, []
        if len(calls) == 1:
            counts = calls[0]
        else:  # made targets: every call single-class, but not all the same class
            per_call = torch.stack(calls)
            counts = per_call.sum(0)
            made = (((per_call > 0).sum(1) == 1).all() & ((counts > 0).sum() >= 2)).float()
            self._made = made if self._made is None else self._made + made
        self._steps += 1
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

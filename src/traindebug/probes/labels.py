"""Class labels seen by the training loss: per-step histograms and run totals.

For classification losses (cross-entropy, NLL with class-index targets; binary
cross-entropy with targets of one value per sample, unless it compares ordered pairs:
a difference of scores against one constant target, RankNet's form) it keeps the labels of
every training loss call (one copy per call) in the label space of each step's
first such call (a second head with another number of classes is not counted)
and counts a whole block at once, each call's labels shifted into bins of their
own, with one ``torch.histc`` on the device (no host sync): every ``BLOCK_STEPS``
steps, or sooner when the block holds many labels, and at the end. Each count emits a ``label_steps`` record:

- ``steps``: the steps counted, ``n``: number of labels in each,
- ``entropy``: entropy (nats) of each step's label distribution,
- ``hist``: each step's label histogram (classes <= ``MAX_HIST_CLASSES``).

At the end it emits a ``labels`` record: ``counts`` over the whole run,
``classes``, the loss ``name``, ``weighted`` (class weights given),
``class_weights`` (the first ones given: cross-entropy's ``weight``, or
[1, pos_weight] for a binary loss with one output) with ``weights_normalise``
(the loss divides by the summed weights, as a weighted cross-entropy mean does),
``combined_steps`` (steps whose backward pass followed several classification
loss calls: the logged loss then sums several label losses, each with its own prior),
``dense`` (more labels than samples per batch: per-token or per-pixel labels,
whose class frequencies are naturally skewed), ``masked`` (scores of -inf in the loss input
during the first ``MASK_STEPS`` steps: a choice among each sample's own candidates, as a
pointer network's positions, whose "classes" are no categories), ``steps``
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
#: a block is counted after this many steps ...
BLOCK_STEPS = 32
#: ... or once it holds this many labels (memory) or this many bins (rows x classes:
#: offset labels stay exact integers in float32, far below 2**24)
BLOCK_LABELS = 2**20
BLOCK_BINS = 2**22
#: steps in which the loss input is checked for masked (-inf) scores
MASK_STEPS = 10
#: ignored labels (ignore_index) are moved below every bin
OUTSIDE = -(2**30)


def class_labels(call: LossCall) -> tuple[torch.Tensor, int] | None:
    """(flat labels, number of classes) of a classification call, or None.

    Integer class indices (``ignore_index`` moved outside every bin) or booleans
    for binary targets; no copy is made where none is needed.
    """
    x, t = call.input, call.target
    if not isinstance(t, torch.Tensor) or t.numel() == 0:
        return None
    if call.name in CLASSIFICATION and not t.is_floating_point() and x.dim() >= 2:
        classes = x.shape[1]
        labels = t.reshape(-1)
        ignore = call.kwargs.get("ignore_index", -100)
        if 0 <= ignore < classes:
            labels = labels.masked_fill(labels == ignore, OUTSIDE)
        return labels, classes
    if call.name in BINARY and t.numel() == t.shape[0]:
        return t.reshape(-1) >= 0.5, 2
    return None


#: autograd nodes that select or reshape a tensor without computing anything new
SELECTIONS = ("IndexBackward0", "ViewBackward0", "ReshapeAliasBackward0", "SqueezeBackward0", "SqueezeBackward1",
              "UnsqueezeBackward0", "SelectBackward0", "SliceBackward0", "MaskedSelectBackward0")


def score_difference(x: torch.Tensor) -> bool:
    """Whether a tensor is a difference of two others, after selecting or reshaping it (the
    pairs s_i - s_j of a pairwise ranking loss); read from its autograd graph, no host sync."""
    node = x.grad_fn
    while node is not None and node.name() in SELECTIONS:
        node = node.next_functions[0][0] if node.next_functions else None
    return node is not None and node.name() == "SubBackward0"


def constant(t: torch.Tensor) -> bool:
    """Whether every element of a tensor is the same value (one host read)."""
    return bool((t == t.reshape(-1)[0]).all())


def class_weights(call: LossCall, classes: int) -> tuple[torch.Tensor, bool] | None:
    """(weight per class, whether the loss divides by the summed weights) of a weighted
    classification call: cross-entropy's ``weight`` (a weighted mean), or [1, pos_weight]
    for a binary loss with one output (a plain mean); None for other weightings."""
    weight, pos_weight = call.kwargs.get("weight"), call.kwargs.get("pos_weight")
    if call.name in CLASSIFICATION and isinstance(weight, torch.Tensor) and weight.numel() == classes:
        return weight.detach().float().clone(), call.kwargs.get("reduction", "mean") == "mean"
    if call.name in BINARY and weight is None and isinstance(pos_weight, torch.Tensor) and pos_weight.numel() == 1:
        return torch.cat([torch.ones(1, device=pos_weight.device), pos_weight.detach().float().reshape(1)]), False
    return None


def more_labels_than_samples(ctx: StepContext, n_labels: int) -> bool:
    """Whether a call has more labels than the model input has samples (sequence/pixel labels)."""
    batch = ctx.batch
    x = batch.args[0] if batch is not None and batch.args else None
    if not isinstance(x, torch.Tensor) or x.dim() == 0:
        return False
    return n_labels > max(x.shape[:2])


def entropies(counts: torch.Tensor) -> torch.Tensor:
    """Entropy (nats) of each row of a [rows, classes] histogram."""
    return torch.special.entr(counts / counts.sum(-1, keepdim=True).clamp_min(1)).sum(-1)


def _offset_rows(rows: list[torch.Tensor], classes: int) -> torch.Tensor:
    """The rows' labels in one vector, row k's shifted by k * classes (into its own bins)."""
    if len(rows) == 1:
        return rows[0]
    if len({r.numel() for r in rows}) == 1:  # equal batches: one broadcast add
        shift = torch.arange(len(rows), device=rows[0].device, dtype=torch.float32) * classes
        return (torch.stack(rows) + shift[:, None]).reshape(-1)
    return torch.cat([r + float(k * classes) for k, r in enumerate(rows)])


class LabelProbe(Probe):
    """Per-step label histograms and run totals for classification losses."""

    name = "labels"
    cost = Cost.CHEAP

    def __init__(self) -> None:
        self._classes = 0
        self._total: torch.Tensor | None = None
        #: the block: per training call, a float copy of its labels, its step and its size
        self._rows: list[torch.Tensor] = []
        self._row_steps: list[int] = []
        self._row_n: list[int] = []
        self._held = 0
        self._loss = ""
        self._weighted = False
        self._steps = 0
        self._made: torch.Tensor | None = None
        self._dense = False
        #: whether a loss input of the first MASK_STEPS steps held -inf (a device flag: no sync)
        self._masked: torch.Tensor | None = None
        self._weights: tuple[torch.Tensor, bool] | None = None
        #: classification loss calls since the last backward pass, and steps that combined several
        self._calls = 0
        self._combined: set[int] = set()
        #: the step of the last classification call (a step's first call sets the label space)
        self._step_seen = -1
        #: whether a binary loss's multi-dimensional target of this (loss, shape) was one constant
        self._constant: dict[tuple[str, tuple[int, ...]], bool] = {}
        #: whether a binary loss on score differences had one constant target (ordered pairs)
        self._pairs: dict[str, bool] = {}

    def before_backward(self, ctx: StepContext) -> None:
        if self._calls > 1:
            self._combined.add(ctx.step)
        self._calls = 0

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if not call.training:
            return
        found = None if self.ordered_pairs(call) else class_labels(call) or self._made_target(call)
        if found is None:
            return
        self._calls += 1
        labels, classes = found
        first_call = ctx.step != self._step_seen
        self._step_seen = ctx.step
        if classes != self._classes:
            if not first_call:
                return  # a second head with other classes (coarse and fine labels): the first one is followed
            # a new label space from a step's first call on (a second training phase): the counts restart
            self._count(ctx.emit)
            self._classes, self._total, self._made, self._steps = classes, None, None, 0
            self._loss = call.name
        self._weighted = self._weighted or any(call.kwargs.get(k) is not None for k in ("weight", "pos_weight"))
        if self._weights is None and self._weighted:
            self._weights = class_weights(call, classes)
        self._rows.append(labels.float())  # a copy: the caller may reuse its target tensor
        self._row_steps.append(ctx.step)
        self._row_n.append(labels.numel())
        self._held += labels.numel()
        self._dense = self._dense or more_labels_than_samples(ctx, labels.numel())
        if ctx.step < MASK_STEPS and call.input.is_floating_point():
            masked = torch.isneginf(call.input).any()
            self._masked = masked if self._masked is None else self._masked | masked

    def ordered_pairs(self, call: LossCall) -> bool:
        """Whether a binary loss compares ordered pairs: its input a difference of scores and its
        target one constant, as RankNet's s_i - s_j against 1 for every pair, the label being the
        order of the pair. A difference with varying targets (an item-response model's ability
        minus difficulty) is an ordinary binary label. Whether the target is constant is read once
        per loss function: one host read."""
        t = call.target
        if call.name not in BINARY or not isinstance(t, torch.Tensor) or t.numel() == 0:
            return False
        if not score_difference(call.input):
            return False
        if call.name not in self._pairs:
            self._pairs[call.name] = constant(t)
        return self._pairs[call.name]

    def _made_target(self, call: LossCall) -> tuple[torch.Tensor, int] | None:
        """A binary loss's multi-dimensional target that is one constant (``zeros_like(scores)``
        for sampled negatives): labels of one class made per call, like a GAN's real/fake targets.
        Other multi-dimensional binary targets (multi-label rows, pixel intensities) are not labels
        of one sample each. Whether it is constant is read once per (loss, shape): one host read."""
        t = call.target
        if call.name not in BINARY or not isinstance(t, torch.Tensor) or t.dim() < 2 or t.numel() == 0:
            return None
        key = (call.name, tuple(t.shape))
        if key not in self._constant:
            self._constant[key] = constant(t)
        return (t.reshape(-1) >= 0.5, 2) if self._constant[key] else None

    def after_step(self, ctx: StepContext) -> None:
        if not self._rows:
            return
        steps = self._row_steps[-1] - self._row_steps[0] + 1
        if steps >= BLOCK_STEPS or self._held >= BLOCK_LABELS or len(self._rows) * self._classes >= BLOCK_BINS:
            self._count(ctx.emit)

    def _count(self, emit: Callable[[str, dict[str, Any]], None]) -> None:
        """Count the block's labels (one histc), add them to the totals, emit ``label_steps``."""
        if not self._rows:
            return
        rows, classes = len(self._rows), self._classes
        hist = torch.histc(_offset_rows(self._rows, classes), bins=rows * classes, min=-0.5, max=rows * classes - 0.5)
        hist = hist.view(rows, classes)
        # consecutive rows of one step: (step, first row, end row)
        spans: list[tuple[int, int, int]] = []
        for i, step in enumerate(self._row_steps):
            if spans and spans[-1][0] == step:
                spans[-1] = (step, spans[-1][1], i + 1)
            else:
                spans.append((step, i, i + 1))
        per_step = hist if len(spans) == rows else torch.stack([hist[a:b].sum(0) for _, a, b in spans])
        for i, (_, a, b) in enumerate(spans):
            if b - a > 1:  # made targets: every call single-class, but not all the same class
                made = (((hist[a:b] > 0).sum(1) == 1).all() & ((per_step[i] > 0).sum() >= 2)).float()
                self._made = made if self._made is None else self._made + made
        total = per_step.sum(0)
        self._total = total if self._total is None else self._total + total
        self._steps += len(spans)
        data: dict[str, Any] = {
            "steps": [s for s, _, _ in spans],
            "n": [sum(self._row_n[a:b]) for _, a, b in spans],
            "entropy": entropies(per_step),
        }
        if classes <= MAX_HIST_CLASSES:
            data["hist"] = per_step
        emit("label_steps", data)
        self._rows, self._row_steps, self._row_n, self._held = [], [], [], 0

    def finish(self, run: RunContext, emit: Callable[[dict[str, Any]], None]) -> None:
        self._count(lambda kind, data: emit({"kind": kind, "step": data["steps"][-1], **data}))
        if self._total is not None:
            emit(
                {
                    "kind": "labels",
                    "counts": self._total,
                    "classes": self._total.numel(),
                    "name": self._loss,
                    "weighted": self._weighted,
                    "dense": self._dense,
                    "masked": self._masked if self._masked is not None else False,
                    "steps": self._steps,
                    "made_steps": self._made if self._made is not None else 0,
                    "combined_steps": len(self._combined),
                    **({"class_weights": self._weights[0], "weights_normalise": self._weights[1]} if self._weights else {}),
                }
            )


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LabelProbe()]

"""Whether class labels go with the inputs: nearest-neighbour label agreement.

On the first training steps of a classification loss with one label per
sample (until ``SAMPLES`` samples, at most ``STEPS`` steps), and again on every
``LATE_EVERY``-th step after them, each sample of the batch is paired with its nearest other sample
(Euclidean distance between the model's inputs, flattened and standardised per
feature within the batch; a functional model's input is found in the autograd graph,
``probes/autograd_graph.py``), and the probe counts how often the two share a label.
If labels carry information about the inputs, neighbours agree more often than
two samples drawn at random from the same batch would; if labels were shuffled
or misaligned with the inputs, they agree at exactly that chance rate.

Per batch the chance of agreement for sample i is (n_{y_i} - 1) / (N - 1), the
share of the other samples with its label; the probe sums, over samples, the
hits, that expectation and its variance p (1 - p) (doubled for mutual nearest
neighbours, who hit or miss together), on the device (no host sync),
and emits at the end one ``label_neighbours`` record per window: ``window``
("first": the first steps; "late": the last ``LATE_MEASUREMENTS`` measurements after
them, so that labels that go wrong later in a run, e.g. those added by an
active-learning loop, are seen too), ``hits``, ``expected``, ``variance``,
``samples``, ``steps``, ``first_step``, ``last_step``.

Raw inputs are not always the space in which labels are simple (token ids are
skipped; images and sequences are compared pixel by pixel), so the rule that
reads this treats agreement at chance as evidence only together with a loss
that did not fall well below the label prior.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.autograd_graph import graph_input
from traindebug.probes.base import Cost, LossCall, Probe, RunContext, Settings, StepContext
from traindebug.probes.labels import OUTSIDE, class_labels
from traindebug.schedule import Schedule

#: the probe measures the first steps until it has SAMPLES labelled samples, at most STEPS steps
#: (z-scores of clean controls grow with the square root of the samples; with 512 the lowest
#: clean one of the held-out sets was 2.2, a zero-padded GRU batch)
STEPS = 20
SAMPLES = 1024
#: of larger batches the first MAX_BATCH samples are used (the Gram matrix is N x N; 1.4 ms for
#: 128 x 784 on one CPU thread)
MAX_BATCH = 256
#: after the first window, one batch every LATE_EVERY steps; the late window is the last
#: LATE_MEASUREMENTS of them (256 steps: most of a default 300-step run; at most 1.4 ms
#: every 16 steps, as above)
LATE_EVERY = 16
LATE_MEASUREMENTS = 16


class LabelNeighbourProbe(Probe):
    """Nearest-neighbour label agreement against its chance level, on the first steps."""

    name = "label_neighbours"
    cost = Cost.CHEAP
    schedule = Schedule(first=STEPS, every=LATE_EVERY)

    def __init__(self) -> None:
        self._first: list[tuple[int, torch.Tensor]] = []  # (step, [hits, expected, variance, samples])
        self._late: deque[tuple[int, torch.Tensor]] = deque(maxlen=LATE_MEASUREMENTS)
        self._samples = 0
        self._done_step = -1

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if not call.training or self._done_step == ctx.step or not self.schedule.due(ctx.step):
            return
        first = ctx.step < STEPS
        if first and self._samples >= SAMPLES:
            return
        found = class_labels(call)
        if ctx.batch is not None:
            inputs = ctx.batch.args[0] if ctx.batch.args else None
        else:  # a functional model: its input as saved by its first weighted operation
            saved = graph_input(call.input) if found is not None and call.input.grad_fn is not None else None
            inputs = saved[0] if saved else None
        if found is None or not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
            return
        labels = found[0]
        n = labels.numel()
        if n < 3 or inputs.dim() < 2 or inputs.shape[0] != n:
            return
        self._done_step = ctx.step
        m = min(n, MAX_BATCH)
        x, y = inputs.detach()[:m].reshape(m, -1).float(), labels[:m].long()
        measured = (ctx.step, neighbour_agreement(x, y))
        if first:
            self._first.append(measured)
            self._samples += m
        else:
            self._late.append(measured)

    def finish(self, run: RunContext, emit: Callable[[dict[str, Any]], None]) -> None:
        for window, measured in (("first", self._first), ("late", list(self._late))):
            if not measured:
                continue
            hits, expected, variance, samples = torch.stack([sums for _, sums in measured]).sum(0).tolist()
            emit({"kind": "label_neighbours", "window": window, "hits": hits, "expected": expected,
                  "variance": variance, "samples": samples, "steps": len(measured),
                  "first_step": measured[0][0], "last_step": measured[-1][0]})


def neighbour_agreement(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[hits, expected hits, their variance, samples] of one batch: x [N, D] inputs,
    y [N] labels (ignored labels, below 0, left out)."""
    keep = y != OUTSIDE
    x, y = x[keep], y[keep]
    n = y.numel()
    if n < 3:
        return torch.zeros(4, device=x.device)
    centred = x - x.mean(0)
    z = centred * centred.pow(2).mean(0).clamp_min(1e-24).rsqrt()  # (Tensor.std is 7x slower on CPU)
    z = torch.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)
    gram = z @ z.T
    # squared distance to j, less |z_i|^2 which is the same along row i: |z_j|^2 - 2 z_i.z_j
    norms = gram.diagonal()
    score = norms[None, :] - 2 * gram
    # a sample drawn twice (batches sampled with replacement) is its own neighbour with its own
    # label whatever the labelling: copies at distance ~0 are not neighbours
    score.masked_fill_(score + norms[:, None] <= 1e-6 * (norms[:, None] + norms[None, :]), float("inf"))
    score.fill_diagonal_(float("inf"))
    nearest = score.argmin(1)
    hits = (y[nearest] == y).float().sum()
    same = (y[:, None] == y[None, :]).float().sum(1) - 1  # other samples with one's own label
    p = same / (n - 1)
    # two samples that are each other's nearest neighbour hit or miss together: their pair
    # counts twice in the variance of the sum (Var 2X = 4 p (1 - p) instead of 2 p (1 - p))
    mutual = (nearest[nearest] == torch.arange(n, device=x.device)).float()
    variance = (p * (1 - p) * (1 + mutual)).sum()
    return torch.stack([hits, p.sum(), variance, torch.full((), float(n), device=x.device)])


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LabelNeighbourProbe()]

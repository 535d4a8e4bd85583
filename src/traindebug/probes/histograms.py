"""Per-layer 1-D histograms of gradients and parameters.

On due steps, for every observed tensor, from the user's own gradient (no extra
pass), it emits a ``histograms`` record with:

- ``grad_log``: counts of log10|g| in ``GRAD_LOG_BINS`` bins over
  [``GRAD_LOG_RANGE``] (values outside are clipped into the end bins),
- ``grad_zero``: count of exactly zero gradient elements,
- ``param``: counts of the parameter values in ``PARAM_BINS`` bins over
  [-``param_absmax``, +``param_absmax``] (per tensor),
- ``param_absmax``, ``numel``.

Tensors with more than ``SAMPLE_SIZE`` elements are histogrammed from a random
sample of that size (counts then sum to ``SAMPLE_SIZE``, not ``numel``): the same
elements at every step (drawn once per tensor from a private generator), so a
step costs one gather per tensor and no random draw.

And ``grad_tiny_fraction`` (per tensor: fraction of the nonzero gradient
elements with |g| < ``thresholds.GRAD_ABS_VANISHED``; exact zeros, as in unused
embedding rows or dead units, are left out) into the step record.
Per-sample gradient element histograms (Cockpit's ``GradHist1d``) come from the
per-sample engine in the full preset (record ``per_sample_hist``).
"""

from __future__ import annotations

import math

import torch

from traindebug import thresholds as T
from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext, count_bins, dense_grads
from traindebug.probes.per_sample import preset_schedule
from traindebug.probes.sampling import random_index
from traindebug.schedule import NEVER, Schedule

GRAD_LOG_BINS = 32
GRAD_LOG_RANGE = (-12.0, 4.0)  # half-decade bins from 1e-12 to 1e4
PARAM_BINS = 32
#: tensors larger than this are histogrammed from this many randomly drawn elements
SAMPLE_SIZE = 2**12
#: the grad_log bins below thresholds.GRAD_ABS_VANISHED (a bin edge: they give grad_tiny_fraction)
TINY_BINS = round((math.log10(T.GRAD_ABS_VANISHED) - GRAD_LOG_RANGE[0]) * GRAD_LOG_BINS / (GRAD_LOG_RANGE[1] - GRAD_LOG_RANGE[0]))
assert math.isclose(GRAD_LOG_RANGE[0] + TINY_BINS * (GRAD_LOG_RANGE[1] - GRAD_LOG_RANGE[0]) / GRAD_LOG_BINS,
                    math.log10(T.GRAD_ABS_VANISHED)), "GRAD_ABS_VANISHED must lie on a grad_log bin edge"


def sample_index(numel: int, device: torch.device, seed: int) -> torch.Tensor | None:
    """SAMPLE_SIZE element indices drawn at random (a private generator: the global RNG is
    not touched), or None when the tensor is small enough to be taken whole."""
    return None if numel <= SAMPLE_SIZE else random_index(numel, SAMPLE_SIZE, device, seed)


def sample(values: torch.Tensor, index: torch.Tensor | None) -> torch.Tensor:
    """The flattened tensor, or its elements at ``index`` (sorted indices and index_select:
    on CPU ten times faster than indexing with ``[]``)."""
    flat = values.reshape(-1)
    return flat if index is None else flat.index_select(0, index)


def binned(values: torch.Tensor, which: torch.Tensor, count: int, low: torch.Tensor | float,
           high: torch.Tensor | float, bins: int, apart: torch.Tensor | None = None) -> torch.Tensor:
    """Per-tensor histograms [count, bins] of the flat ``values``, element k belonging to
    tensor ``which[k]``, over [low, high] (per tensor when low/high are tensors of shape
    [count]); outliers go to the end bins. With an ``apart`` mask, those elements are
    counted in an extra last bin instead ([count, bins + 1]). One count_bins."""
    lo = low.index_select(0, which) if isinstance(low, torch.Tensor) else low
    hi = high.index_select(0, which) if isinstance(high, torch.Tensor) else high
    index = ((values - lo) * bins / (hi - lo)).floor_().clamp_(0, bins - 1)
    if apart is not None:
        index, bins = index.masked_fill_(apart, bins), bins + 1
    return count_bins(which * bins + index.long(), count * bins).reshape(count, bins)


class HistogramProbe(Probe):
    """Per-tensor histograms of gradient magnitudes and parameter values."""

    name = "histograms"
    cost = Cost.CHEAP

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self._index: dict[int, torch.Tensor | None] = {}
        self._which: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor]] = {}

    def _sample_index(self, i: int, p: torch.Tensor) -> torch.Tensor | None:
        if i not in self._index:
            self._index[i] = sample_index(p.numel(), p.device, seed=i)
        return self._index[i]

    def _owner(self, sizes: tuple[int, ...], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """For the concatenated samples of tensors of these sizes: each element's tensor, and
        the sizes as a tensor (made once: a copy to the device per step would wait for it)."""
        if sizes not in self._which:
            counts = torch.tensor(sizes, device=device)
            self._which[sizes] = (torch.repeat_interleave(torch.arange(len(sizes), device=device), counts), counts)
        return self._which[sizes]

    def before_step(self, ctx: StepContext) -> None:
        all_grads = dense_grads(ctx.params)
        rows = [(i, p) for i, (_, p) in enumerate(ctx.params) if all_grads[i] is not None and p.numel() > 0]
        if not rows:
            return
        index = [self._sample_index(i, p) for i, p in rows]
        grads = torch.cat([sample(all_grads[i].detach(), k).float() for (i, _), k in zip(rows, index)]).abs_()  # type: ignore[union-attr]
        params = torch.cat([sample(p.detach(), k).float() for (_, p), k in zip(rows, index)])
        sizes = tuple(min(p.numel(), SAMPLE_SIZE) if k is not None else p.numel() for (_, p), k in zip(rows, index))
        count, (which, sample_sizes) = len(rows), self._owner(sizes, grads.device)
        zero = grads == 0
        counts = binned(grads.clamp_min_(1e-30).log10_(), which, count, *GRAD_LOG_RANGE, GRAD_LOG_BINS, apart=zero)
        grad_log, zeros = counts[:, :GRAD_LOG_BINS], counts[:, GRAD_LOG_BINS]  # zeros are counted apart
        tiny, nonzero = grad_log[:, :TINY_BINS].sum(1), sample_sizes - zeros
        absmax = torch.zeros(count, device=params.device).scatter_reduce_(0, which, params.abs(), "amax")
        absmax = absmax.clamp_min(1e-12)
        ctx.emit(
            "histograms",
            {
                "tensors": [i for i, _ in rows],
                "grad_log_range": list(GRAD_LOG_RANGE),
                "grad_log": grad_log,
                "grad_zero": zeros,
                "param": binned(params, which, count, -absmax, absmax, PARAM_BINS),
                "param_absmax": absmax,
                "numel": [p.numel() for _, p in rows],
            },
        )
        ctx.record("grad_tiny_fraction", tiny / nonzero.clamp_min(1))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    schedule = preset_schedule(settings, HistogramProbe.name)
    return [] if schedule is NEVER else [HistogramProbe(schedule)]

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
sample of that size (counts then sum to ``SAMPLE_SIZE``, not ``numel``).

And ``grad_tiny_fraction`` (per tensor: fraction of the nonzero gradient
elements with |g| <= ``thresholds.GRAD_ABS_VANISHED``; exact zeros, as in unused
embedding rows or dead units, are left out) into the step record.
Per-sample gradient element histograms (Cockpit's ``GradHist1d``) come from the
per-sample engine in the full preset (record ``per_sample_hist``).
"""

from __future__ import annotations

import torch

from traindebug import thresholds as T
from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.probes.per_sample import preset_schedule
from traindebug.schedule import NEVER, Schedule

GRAD_LOG_BINS = 32
GRAD_LOG_RANGE = (-12.0, 4.0)  # half-decade bins from 1e-12 to 1e4
PARAM_BINS = 32
#: tensors larger than this are histogrammed from this many randomly drawn elements
SAMPLE_SIZE = 2**15


def sample(values: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The flattened tensor, or SAMPLE_SIZE of its elements drawn at random when it is larger
    (a private generator: the global RNG is not touched)."""
    flat = values.reshape(-1)
    if flat.numel() <= SAMPLE_SIZE:
        return flat
    return flat[torch.randint(flat.numel(), (SAMPLE_SIZE,), generator=generator, device=flat.device)]


def binned(values: list[torch.Tensor], low: torch.Tensor | float, high: torch.Tensor | float, bins: int) -> torch.Tensor:
    """Per-tensor histograms [T, bins] of flattened tensors over [low, high] (per tensor
    when low/high are tensors of shape [T]); outliers go to the end bins. One bincount."""
    sizes = torch.tensor([v.numel() for v in values], device=values[0].device)
    flat = torch.cat([v.reshape(-1) for v in values])
    which = torch.repeat_interleave(torch.arange(len(values), device=flat.device), sizes)
    lo = low[which] if isinstance(low, torch.Tensor) else low
    hi = high[which] if isinstance(high, torch.Tensor) else high
    index = ((flat - lo) / (hi - lo) * bins).floor().clamp(0, bins - 1).long()
    counts = torch.bincount(which * bins + index, minlength=len(values) * bins)
    return counts.reshape(len(values), bins).float()


class HistogramProbe(Probe):
    """Per-tensor histograms of gradient magnitudes and parameter values."""

    name = "histograms"
    cost = Cost.CHEAP

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def before_step(self, ctx: StepContext) -> None:
        rows = [(i, p) for i, (_, p) in enumerate(ctx.params) if p.grad is not None and p.numel() > 0]
        if not rows:
            return
        generator = torch.Generator(rows[0][1].device).manual_seed(ctx.step)
        grads = [sample(p.grad.detach().float().abs(), generator) for _, p in rows]
        nonzero = torch.stack([(g > 0).sum() for g in grads])
        tiny = torch.stack([((g > 0) & (g <= T.GRAD_ABS_VANISHED)).sum() for g in grads])
        low, high = GRAD_LOG_RANGE
        logs = [torch.where(g > 0, g.clamp_min(1e-30).log10(), torch.full_like(g, low - 1)) for g in grads]
        grad_log = binned(logs, low, high, GRAD_LOG_BINS)
        grad_log[:, 0] -= nonzero.new_tensor([g.numel() for g in grads]) - nonzero  # zeros are counted apart
        params = [sample(p.detach().float(), generator) for _, p in rows]
        absmax = torch.stack([w.abs().max() for w in params]).clamp_min(1e-12)
        ctx.emit(
            "histograms",
            {
                "tensors": [i for i, _ in rows],
                "grad_log_range": list(GRAD_LOG_RANGE),
                "grad_log": grad_log,
                "grad_zero": torch.stack([g.numel() - n for g, n in zip(grads, nonzero)]).float(),
                "param": binned(params, -absmax, absmax, PARAM_BINS),
                "param_absmax": absmax,
                "numel": [p.numel() for _, p in rows],
            },
        )
        ctx.record("grad_tiny_fraction", tiny.float() / nonzero.clamp_min(1).float())


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    schedule = preset_schedule(settings, HistogramProbe.name)
    return [] if schedule is NEVER else [HistogramProbe(schedule)]

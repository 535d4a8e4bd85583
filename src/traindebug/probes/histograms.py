"""Per-layer 1-D histograms of gradients and parameters.

On due steps, for every observed tensor, from the user's own gradient (no extra
pass), it emits a ``histograms`` record with:

- ``grad_log``: counts of log10|g| in ``GRAD_LOG_BINS`` bins over
  [``GRAD_LOG_RANGE``] (values outside are clipped into the end bins),
- ``grad_zero``: count of exactly zero gradient elements,
- ``param``: counts of the parameter values in ``PARAM_BINS`` bins over
  [-``param_absmax``, +``param_absmax``] (per tensor),
- ``param_absmax``, ``numel``.

And ``grad_tiny_fraction`` (per tensor: fraction of gradient elements with
|g| <= ``thresholds.GRAD_ABS_VANISHED``, zeros included) into the step record.
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


def log_magnitude_histogram(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(counts of log10|g| per bin, count of zeros) of one gradient tensor."""
    low, high = GRAD_LOG_RANGE
    flat = g.detach().float().reshape(-1)
    zero = flat == 0
    logs = flat.abs().clamp_min(1e-30).log10().clamp(low, high)
    counts = torch.histc(logs[~zero], bins=GRAD_LOG_BINS, min=low, max=high)
    return counts, zero.sum().float()


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
        grads, zeros, params, absmax, tiny = [], [], [], [], []
        for _, p in rows:
            counts, zero = log_magnitude_histogram(p.grad)
            grads.append(counts)
            zeros.append(zero)
            w = p.detach().float()
            top = w.abs().max().clamp_min(1e-12)
            params.append(torch.histc((w / top).reshape(-1), bins=PARAM_BINS, min=-1.0, max=1.0))
            absmax.append(top)
            tiny.append((p.grad.detach().abs() <= T.GRAD_ABS_VANISHED).float().mean())
        ctx.emit(
            "histograms",
            {
                "tensors": [i for i, _ in rows],
                "grad_log_range": list(GRAD_LOG_RANGE),
                "grad_log": torch.stack(grads),
                "grad_zero": torch.stack(zeros),
                "param": torch.stack(params),
                "param_absmax": torch.stack(absmax),
                "numel": [p.numel() for _, p in rows],
            },
        )
        ctx.record("grad_tiny_fraction", torch.stack(tiny))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    schedule = preset_schedule(settings, HistogramProbe.name)
    return [] if schedule is NEVER else [HistogramProbe(schedule)]

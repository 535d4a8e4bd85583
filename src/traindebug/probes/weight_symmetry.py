"""Whether the units of each weight matrix are identical.

On due steps (step 0, then every 50 steps), just before the optimizer step, it
records ``unit_spread`` in the step record: one value per observed tensor, the
mean over input positions of the standard deviation across units divided by the
mean absolute weight. A unit is a row (``nn.Linear``'s out x in layout) or a
column (a matrix used as ``x @ W``); the smaller of the two spreads is kept.
Identical units (constant or zero initialization, and the identical updates that
follow) give 0; an all-zero matrix gives 0. Tensors with fewer than 2 dimensions
or fewer than 2 rows and columns get -1.
"""

from __future__ import annotations

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import Schedule


def relative_spread(rows: torch.Tensor) -> torch.Tensor:
    """Std across the rows of a 2-D tensor (mean over columns) relative to its mean |w|; 0 for an
    all-zero tensor."""
    spread = rows.std(dim=0).mean()
    scale = rows.abs().mean()
    return torch.where(scale > 0, spread / scale.clamp_min(torch.finfo(torch.float32).tiny), torch.zeros_like(scale))


def unit_spread(weight: torch.Tensor) -> torch.Tensor:
    """The smaller spread across rows or across columns; -1 if not a matrix of 2+ units."""
    w = weight.detach()
    if w.dim() < 2 or w.numel() == 0:
        return torch.full((), -1.0, device=w.device)
    rows = w.reshape(w.shape[0], -1).float()
    spreads = [relative_spread(m) for m in (rows, rows.T) if m.shape[0] >= 2]
    if not spreads:
        return torch.full((), -1.0, device=w.device)
    return torch.stack(spreads).min()


class WeightSymmetryProbe(Probe):
    """Unit spread of every weight matrix on scheduled steps (a few reductions each)."""

    name = "weight_symmetry"
    cost = Cost.CHEAP
    schedule = Schedule(first=1, every=50)

    def before_step(self, ctx: StepContext) -> None:
        if not ctx.params:
            return
        device = ctx.run.device
        ctx.record("unit_spread", torch.stack([unit_spread(p).to(device) for _, p in ctx.params]))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [WeightSymmetryProbe()]

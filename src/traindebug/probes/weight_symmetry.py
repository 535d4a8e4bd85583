"""Whether the rows of each weight matrix (the units of a layer) are identical.

On due steps (step 0, then every 50 steps), just before the optimizer step, it
records ``row_spread`` in the step record: one value per observed tensor, the
mean over input positions of the standard deviation across rows (output units)
divided by the mean absolute weight. Identical rows (constant or zero
initialization, and the identical updates that follow) give 0; an all-zero
matrix gives 0. Tensors with fewer than 2 dimensions or fewer than 2 rows get -1.
"""

from __future__ import annotations

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import Schedule


def row_spread(weight: torch.Tensor) -> torch.Tensor:
    """Std across rows (mean over columns) relative to the mean |w|; -1 if not a matrix."""
    w = weight.detach()
    if w.dim() < 2 or w.shape[0] < 2 or w.numel() == 0:
        return torch.full((), -1.0, device=w.device)
    rows = w.reshape(w.shape[0], -1).float()
    spread = rows.std(dim=0).mean()
    scale = rows.abs().mean()
    return torch.where(scale > 0, spread / scale.clamp_min(torch.finfo(torch.float32).tiny), torch.zeros_like(scale))


class WeightSymmetryProbe(Probe):
    """Row spread of every weight matrix on scheduled steps (a few reductions each)."""

    name = "weight_symmetry"
    cost = Cost.CHEAP
    schedule = Schedule(first=1, every=50)

    def before_step(self, ctx: StepContext) -> None:
        if not ctx.params:
            return
        device = ctx.run.device
        ctx.record("row_spread", torch.stack([row_spread(p).to(device) for _, p in ctx.params]))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [WeightSymmetryProbe()]

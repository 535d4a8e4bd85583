"""How much of the targets' spread each training batch holds: regression and multi-column targets.

The class-label probe (``labels.py``) counts the labels of classification losses, from which
the unshuffled-data rule reads batches that hold only a few classes. Targets that are not class
labels (regression values, counts, the columns of a multi-label or cumulative ordinal target)
can be ordered too: rows sorted by their target, by time, or by a parameter sweep. This probe
records, for the first training loss call of each step whose target is floating point and not a
class label, the batch mean and the batch variance of its first ``MAX_COLUMNS`` columns (rows:
the target's first dimension) in the step record as ``target_moments`` ([means, variances], two
rows). A target expanded along its rows (stride 0: one fixed target, such as a texture's Gram
matrix, compared with every sample) has no rows of its own and is left out. Nothing is copied to
the host during the run.
"""

from __future__ import annotations

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, Settings, StepContext
from traindebug.probes.labels import class_labels
from traindebug.schedule import EVERY_STEP

#: columns of a multi-column target that are measured (one per output of a small head)
MAX_COLUMNS = 8
#: batches with fewer rows say little about their spread
MIN_ROWS = 4


class TargetBatchProbe(Probe):
    """Batch mean and variance of floating-point training targets, every step."""

    name = "target_batches"
    cost = Cost.CHEAP
    schedule = EVERY_STEP

    def __init__(self) -> None:
        self._done_step = -1

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        target = call.target
        if (not call.training or self._done_step == ctx.step or not isinstance(target, torch.Tensor)
                or not target.is_floating_point() or target.dim() == 0 or target.shape[0] < MIN_ROWS
                or target.stride(0) == 0 or class_labels(call) is not None):
            return
        self._done_step = ctx.step
        rows = target.detach().reshape(target.shape[0], -1)[:, :MAX_COLUMNS].float()
        ctx.record("target_moments", torch.stack([rows.mean(0), rows.var(0, unbiased=False)]))


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [TargetBatchProbe()]

"""What each optimizer step changed: update norms, weight norms, ratios.

On the steps of ``schedule.PER_TENSOR``, just before the step the probe copies
the parameters into preallocated buffers and just after it compares them.
Records (per tensor):

- ``param_norms``: L2 norm before the update,
- ``update_norms``: L2 norm of the change made by the step,
- ``update_ratio``: update_norms / param_norms,
- ``update_grad_norms``: L2 norm of the gradient over the same entries (0
  without gradient, and 0 for a gradient that no backward has written since the
  previous such step: the same tensor object at the same version, kept by a
  tensor the model no longer uses, such as a meta-learner's discarded copy), on
  the steps of ``GRAD_SAMPLE`` only: an update of exactly 0 says "frozen" only
  where the gradient over the measured entries is not 0.

After the dense phase (``PER_TENSOR.first`` steps), on the step after each measured
update it also records ``step_alignment``: minus the cosine between that step's
gradient and the update just measured, over the same sampled entries scaled to
whole tensors. Above 0 the loss still fell along the last update when the next
gradient was taken (Baydin et al. 2018, "Online learning rate adaptation with
hypergradient descent": the sign of this product is the derivative of the loss
with respect to the learning rate), below 0 the step went past the valley floor.

Copying a whole model twice per step costs more than the 15 % overhead budget
of the cheap preset on CPU (three passes over the parameters), so the probe
reads a sample of each larger tensor: ``BLOCKS`` runs of ``BLOCK``
consecutive entries (4096 in all), the runs a prime number of entries apart that
divides no trailing-dimension size (so a weight matrix's columns are all
visited, not the same few), from a random offset. Both norms are scaled by
sqrt(numel / sample): the squared norms are then unbiased estimates and the
ratio is the sample's own (measured on the 784-500-400-10 MLP: within 2 % of
the exact values). Runs of consecutive entries cost about half what 4096
scattered entries cost, whose every read misses the cache. An entry that moves
makes the update non-zero only if it is sampled, which matters for a tensor of
which only a few entries ever move (an embedding row seen once). The option
``update_sample_blocks=0`` copies every entry (exact, as Cockpit's
``UpdateSize``; tensors of up to 8192 entries are always read whole).
"""

from __future__ import annotations

import functools
import math

import torch

from traindebug.plugins import hookimpl
from traindebug.probes.base import (
    Cost, GradMark, Probe, RunContext, Settings, StepContext, dense_grads, grad_marks, same_grad,
)
from traindebug.probes.sampling import Sample, plan_sample
from traindebug.schedule import PER_TENSOR_PAIRS, Schedule

#: the sample of a larger tensor: BLOCKS runs of BLOCK consecutive entries
BLOCKS = 64
BLOCK = 64
#: samples are zero-padded to the widest one (norms by one reduction over [rows, tensors, width])
#: unless that makes the buffer more than this many times larger; then one flat row per buffer
#: row, reduced by segments (update_sample_blocks=0 reads whole tensors of very different sizes)
MAX_PADDING = 4
#: steps on which the gradient is sampled too (a copy per tensor; "frozen" needs a few steps, not all)
GRAD_SAMPLE = Schedule(first=10, every=10)


class UpdateProbe(Probe):
    """Update-to-weight ratio and zero updates."""

    name = "updates"
    cost = Cost.CHEAP
    #: updates on PER_TENSOR's steps; past its first steps, the step after each for the alignment only
    schedule = PER_TENSOR_PAIRS

    def __init__(self, blocks: int) -> None:
        self.blocks = blocks
        self._samples: list[Sample] = []
        self._buffer = torch.empty(3, 0)
        #: per buffer row, one (blocks, block) view per tensor
        self._rows: list[list[torch.Tensor]] = [[], [], [], []]
        self._padded = True
        self._lengths = torch.empty(0, dtype=torch.long)
        self._root_scale = torch.empty(0)
        #: per tensor: the sampled entries as a view, valid while the storage stays the same
        self._sources: list[torch.Tensor] = []
        self._pointers: list[int] = []
        self._armed = False
        self._with_grad = False
        #: per tensor, its .grad at the last GRAD_SAMPLE step
        self._grads_seen: list[GradMark] = []
        #: the step whose update the buffer's second row holds (-1: none)
        self._measured = -1

    def setup(self, run: RunContext) -> None:
        self._samples = []
        self.on_params_added(run)

    def on_params_added(self, run: RunContext) -> None:
        for i, (_, p) in enumerate(run.params[len(self._samples) :], start=len(self._samples)):
            self._samples.append(plan_sample(p.shape, self.blocks, BLOCK, seed=i))
        sizes = [s.size for s in self._samples]
        # float32, or float64 when a parameter is: a float64 update below float32 resolution must not read as 0
        dtype = functools.reduce(torch.promote_types, (p.dtype for _, p in run.params), torch.float32)
        width = max(sizes)
        self._padded = width * len(sizes) <= MAX_PADDING * sum(sizes)
        # rows: before, after (then the update), gradient, the next step's gradient (alignment)
        self._measured = -1
        if self._padded:
            self._buffer = torch.zeros(4, len(sizes), width, dtype=dtype, device=run.device)
            parts = [[row[k, :n] for k, n in enumerate(sizes)] for row in self._buffer]
        else:
            self._buffer = torch.empty(4, sum(sizes), dtype=dtype, device=run.device)
            parts = [list(row.split(sizes)) for row in self._buffer]
            self._lengths = torch.tensor([sizes] * 4, device=run.device)  # one row per buffer row
        self._rows = [[part.view(s.blocks, s.block) for part, s in zip(row, self._samples)] for row in parts]
        self._pointers = []
        numels = [p.numel() for _, p in run.params]
        #: per tensor sqrt(numel / sample size): squared norms scaled by numel / sample size are unbiased
        self._root_scale = torch.tensor([math.sqrt(n / max(k, 1)) for n, k in zip(numels, sizes)], dtype=dtype,
                                        device=run.device)

    def _read(self, ctx: StepContext, out: list[torch.Tensor]) -> None:
        """Copy the sampled entries of every parameter into ``out`` (one fused copy)."""
        pointers = [p.data_ptr() for _, p in ctx.params]
        if pointers != self._pointers:  # first read, or storage replaced (``p.data = ...``)
            self._sources = [s.view(p.detach().reshape(-1)) for (_, p), s in zip(ctx.params, self._samples)]
            # a non-contiguous parameter was copied by reshape: read it afresh every time
            contiguous = all(p.is_contiguous() for _, p in ctx.params)
            self._pointers = pointers if contiguous else []
        torch._foreach_copy_(out, self._sources)

    def _alignment_step(self, step: int) -> bool:
        """A step of the schedule's span after a multiple of ``every`` (past ``first``): only the
        alignment is due there; every other due step measures the update."""
        schedule = self.schedule
        return bool(schedule.every) and step >= schedule.first and 0 < step % schedule.every < schedule.span

    def before_step(self, ctx: StepContext) -> None:
        if not ctx.params:
            return
        if self._alignment_step(ctx.step):
            if self._measured == ctx.step - 1:
                self._record_alignment(ctx)
            return
        self._read(ctx, self._rows[0])
        self._armed = True
        self._with_grad = GRAD_SAMPLE.due(ctx.step)
        if not self._with_grad:
            return
        fresh = self._fresh_grads(ctx)
        grads = list(zip([g if new else None for g, new in zip(dense_grads(ctx.params), fresh)], self._rows[2]))
        present = [(s.view(g.detach().reshape(-1)), part) for (g, part), s in zip(grads, self._samples) if g is not None]
        for g, part in grads:
            if g is None:
                part.zero_()
        if present:
            torch._foreach_copy_([part for _, part in present], [view for view, _ in present])

    def _record_alignment(self, ctx: StepContext) -> None:
        """``step_alignment``: -cos(this step's gradient, the last update), over the sampled entries,
        each tensor's products weighted by numel / sample size (whole-tensor estimates)."""
        grads = dense_grads(ctx.params)
        present = [(s.view(g.detach().reshape(-1)), part) for g, part, s in zip(grads, self._rows[3], self._samples)
                   if g is not None]
        if not present:
            return
        for g, part in zip(grads, self._rows[3]):
            if g is None:
                part.zero_()
        torch._foreach_copy_([part for _, part in present], [view for view, _ in present])
        update, grad, weight = self._buffer[1], self._buffer[3], self._root_scale.square()
        dot = (self._sums(update * grad) * weight).sum()
        norms = (self._sums(update.square()) * weight).sum() * (self._sums(grad.square()) * weight).sum()
        ctx.record("step_alignment", -dot / norms.sqrt().clamp_min(torch.finfo(norms.dtype).tiny))

    def _sums(self, values: torch.Tensor) -> torch.Tensor:
        """Per-tensor sums of one buffer row's worth of values."""
        if self._padded:
            return values.sum(-1)
        return torch.segment_reduce(values, "sum", lengths=self._lengths[0], unsafe=True)

    def _fresh_grads(self, ctx: StepContext) -> list[bool]:
        """Per tensor, whether its .grad was written since the last GRAD_SAMPLE step: a new
        object (set_to_none, or the first gradient) or a new version (accumulated into)."""
        seen = self._grads_seen
        fresh = [p.grad is not None and not (i < len(seen) and same_grad(seen[i], p.grad))
                 for i, (_, p) in enumerate(ctx.params)]
        self._grads_seen = grad_marks(ctx.params)
        return fresh

    def after_step(self, ctx: StepContext) -> None:
        if not self._armed or not ctx.params:
            return
        self._armed = False
        self._read(ctx, self._rows[1])
        self._buffer[1].sub_(self._buffer[0])  # the row now holds the update
        self._measured = ctx.step
        norms = self._norms(3 if self._with_grad else 2)
        weight, update = norms[0], norms[1]
        ctx.record("param_norms", weight)
        ctx.record("update_norms", update)
        ctx.record("update_ratio", update / weight.clamp_min(1e-12))
        if self._with_grad:
            ctx.record("update_grad_norms", norms[2])


    def _norms(self, rows: int) -> torch.Tensor:
        """Per-tensor norms [rows, tensors] of the first buffer rows, scaled from the sample
        to the whole tensor."""
        buffer = self._buffer[:rows]
        if self._padded:
            return torch.linalg.vector_norm(buffer, dim=-1) * self._root_scale
        # unsafe=True: the lengths are right by construction; the check would sync with the device
        squares = torch.segment_reduce(buffer.square(), "sum", lengths=self._lengths[:rows], axis=1, unsafe=True)
        return squares.sqrt() * self._root_scale


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    blocks = int(settings.options.get("update_sample_blocks", BLOCKS))
    return [UpdateProbe(blocks)]

"""Step 0: finite-difference gradient check and batch-mixing check on the user's batch.

Both run once, just before the first optimizer step, on deep copies of the model
(the user's model, gradients, buffers and RNG are untouched) with the batch of
that step's training forward (``ctx.batch``):

- ``gradient_check`` emits a ``gradcheck`` record (see ``traindebug.gradcheck``):
  the loss is rebuilt from the observed loss call (``ctx.loss_call``) when its
  input is the model output (or a reshape of it), else a random linear
  functional of the output is checked;
- ``batch_mixing`` emits a ``batch_mixing`` record (see
  ``traindebug.batch_mixing``), with the batch size taken from the loss target
  when the model output's first dimension has that size (else the first dimension
  of a 2-D output that every input of the model shares). A sequence output that
  the loss reads flattened (or of a model with a sequence-first module) leaves
  open whether dim 0 or dim 1 is time, along which causal dependence is no
  mixing: it is checked along both and counts as mixed only if both mix. Other
  outputs are skipped.

A check that cannot run emits its record with a ``skipped`` reason.

- ``function_check`` checks each of the user's custom autograd Functions (kept by the
  capture at their first training call, wherever they are: in the model or in a
  hand-written loss after it) at the first step after that call, on a float64 copy of
  its arguments, and emits a ``function_check`` record with one entry per Function
  checked then. A Function that fails the check gets a ``gradient_scale`` c when its
  forward passes a tensor through unchanged and its backward multiplies the gradient
  by c (gradient reversal, gradient scaling: deliberate), else None.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any, Callable

import torch
from torch import nn

from traindebug.batch_mixing import BatchMixingError, batch_mixing
from traindebug.gradcheck import GradcheckError, cast_floats, check_function, check_model, first_float, gradient_scale
from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, RunContext, Settings, StepContext, describe_exception
from traindebug.schedule import EVERY_STEP, NEVER, STEP_ZERO

#: seconds the gradient check may spend per preset (it stops between two directions) ...
TIME_BUDGET_S = {"cheap": 15.0, "economy": 30.0, "full": 120.0}
#: ... and at most this many of the user's own steps, at least MIN_SECONDS: 60 steps are a fifth of
#: a default 300-step check, so that this one-off check cannot double a short run's wall time on
#: its own (a fixed 15 s did, measured: a 12.6 s conv-net script took 2.9x under check, 15.4 s of
#: it in the gradient check). A step is taken as 1.5 times the user's first backward pass (a
#: forward costs about half a backward), the one stretch of step 0 in which no probe runs.
BUDGET_STEPS = 60
STEP_PER_BACKWARD = 1.5
MIN_SECONDS = 1.0
NOT_SEEN = "no training forward of an nn.Module was observed at step 0 (functional model or no model)"
#: models larger than this are not copied to float64 (memory and time)
MAX_PARAMETERS = 50_000_000


def loss_for(call: LossCall | None, output: Any) -> tuple[Callable[[Any, torch.dtype], torch.Tensor] | None, str]:
    """A loss ``(model output, dtype) -> scalar`` rebuilt from the observed call, and how."""
    if call is None or not call.training or not isinstance(output, torch.Tensor):
        return None, "no training loss call on the model output"
    if call.input is output or call.input.shape == output.shape:
        shape = None
    elif call.input.numel() == output.numel():
        shape = call.input.shape
    else:
        return None, f"the loss reads a {list(call.input.shape)} tensor derived from the {list(output.shape)} output"

    def loss(out: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        target, kwargs = cast_floats((call.target, call.kwargs), dtype)
        return call.fn(out if shape is None else out.reshape(shape), target, **kwargs)

    return loss, f"{call.name} on the model output" + ("" if shape is None else " (reshaped)")


def batch_size_for(call: LossCall | None, output: Any, model: nn.Module | None = None) -> int | None:
    """The loss target's batch size, when the model output's first dimension has that size, or
    else exactly one of its other dimensions (an ensemble's stacked ``(members, batch, classes)``
    output whose members each go to the loss).

    A flattened ``(time * batch)`` target of a sequence-first output does not match, so
    time is never taken for the batch; nor is a ``(time, batch, ...)`` output of a model with
    a sequence-first module (``batch_first=False``), whose first dimension may be time. A model
    that returns several tensors (logits and attention weights) is judged by its first
    floating-point one, as the check reads it.
    """
    output = first_float(output)
    if call is None or output is None or output.dim() == 0 or sequence_dims_open(output, model):
        return None
    target = call.target
    if not isinstance(target, torch.Tensor) or target.dim() == 0:
        return None
    n = target.shape[0]
    return n if output.shape[0] == n or list(output.shape[1:]).count(n) == 1 else None


def shared_batch_size(output: Any, model: nn.Module | None, args: tuple) -> int | None:
    """The first dimension of a 2-D ``(batch, features)`` output that every tensor argument of
    the model shares: the batch where the loss target does not tell (a contrastive loss whose
    targets index both views of a batch, a loss written by hand). Not when an argument relates
    the rows to each other (an ``(N, N)`` adjacency matrix: a graph's nodes, which a graph
    network mixes by design, often with a loss on a subset of them)."""
    output = first_float(output)
    inputs = [a for a in args if isinstance(a, torch.Tensor) and a.dim() > 0]
    if output is None or output.dim() != 2 or output.shape[0] < 2 or not inputs or sequence_dims_open(output, model):
        return None
    n = output.shape[0]
    return n if all(a.shape[0] == n and n not in a.shape[1:] for a in inputs) else None


def pairwise_matching(call: LossCall | None, output: Any) -> bool:
    """Whether the output is an ``(N, N)`` score matrix trained to pair each row with one column
    (the loss target a permutation of 0..N-1: CLIP's or InfoNCE's contrastive logits), whose rows
    depend on every sample of the batch by design."""
    output, target = first_float(output), call.target if call is not None else None
    if output is None or output.dim() != 2 or output.shape[0] != output.shape[1] or not isinstance(target, torch.Tensor):
        return False
    n = output.shape[0]
    if target.dim() != 1 or target.numel() != n or target.is_floating_point():
        return False
    return bool((target.sort().values == torch.arange(n, device=target.device)).all())


def _dims(output: Any) -> int:
    output = first_float(output)
    return -1 if output is None else output.dim()


def sequence_dims_open(output: Any, model: nn.Module | None) -> bool:
    """Whether the output's first two dimensions may be (time, batch) as well as (batch, time):
    a sequence output of a model with a sequence-first module."""
    output = first_float(output)
    return (
        model is not None
        and output is not None
        and output.dim() >= 3
        and any(getattr(m, "batch_first", None) is False for m in model.modules())
    )


class _OnceOnTheBatch(Probe):
    """Runs ``_check`` once, on the first step whose batch was captured; says so if none was."""

    schedule = STEP_ZERO
    kind = ""  # the record kind it writes

    def __init__(self) -> None:
        self._done = False

    def before_step(self, ctx: StepContext) -> None:
        if self._done or ctx.batch is None:
            return
        self._done = True
        self._check(ctx)

    def after_step(self, ctx: StepContext) -> None:
        self.before_step(ctx)  # L-BFGS: the forward runs inside optimizer.step(closure)

    def finish(self, run: RunContext, emit: Callable[[dict[str, Any]], None]) -> None:
        if not self._done and self.schedule != NEVER:
            emit({"kind": self.kind, "step": 0, "skipped": NOT_SEEN})

    def _check(self, ctx: StepContext) -> None:
        raise NotImplementedError


class GradientCheckProbe(_OnceOnTheBatch):
    """Autograd against central finite differences, per tensor and per module (float64 copy)."""

    name = "gradient_check"
    kind = "gradcheck"
    cost = Cost.EXPENSIVE

    def __init__(self, seconds: float, fixed: bool = False) -> None:
        super().__init__()
        self.seconds = seconds
        self.fixed = fixed  # the user set the budget: no scaling to the step time
        self._backward_at = 0.0
        self.backward_s: float | None = None  # the user's first backward pass

    def before_backward(self, ctx: StepContext) -> None:
        self._backward_at = time.perf_counter()

    def after_backward(self, ctx: StepContext) -> None:
        if self.backward_s is None:
            self.backward_s = time.perf_counter() - self._backward_at

    def budget(self) -> float:
        """Seconds the check may take: the preset's (or the user's), or BUDGET_STEPS of the user's steps."""
        if self.fixed or self.backward_s is None:
            return self.seconds
        return min(self.seconds, max(MIN_SECONDS, BUDGET_STEPS * STEP_PER_BACKWARD * self.backward_s))

    def _check(self, ctx: StepContext) -> None:
        batch = ctx.batch
        assert batch is not None
        seconds = self.budget()
        size = sum(p.numel() for p in batch.model.parameters())
        if size > MAX_PARAMETERS:
            ctx.emit("gradcheck", {"skipped": f"model too large for a float64 copy ({size:,} parameters)"})
            return
        loss, source = loss_for(ctx.loss_call, batch.output)
        try:
            try:
                result = check_model(batch.model, batch.args, batch.kwargs, loss, max_seconds=seconds)
            except GradcheckError as exc:
                if loss is None:
                    raise
                # the loss read a same-shaped transform of the output (sigmoid before BCE): any smooth
                # scalar of the output checks the model's backward as well
                source = f"random linear functional of the output (the rebuilt loss failed: {exc})"
                result = check_model(batch.model, batch.args, batch.kwargs, None, max_seconds=seconds)
        except GradcheckError as exc:
            ctx.emit("gradcheck", {"skipped": str(exc)})
            return
        ctx.emit("gradcheck", {**result.to_record(), "loss_source": source, "budget_s": seconds})


class BatchMixingProbe(_OnceOnTheBatch):
    """d output_i / d input_j for j != i on the user's batch (BatchNorm in eval mode)."""

    name = "batch_mixing"
    kind = "batch_mixing"
    cost = Cost.EXTRA_BACKWARD

    def _check(self, ctx: StepContext) -> None:
        batch = ctx.batch
        assert batch is not None
        if pairwise_matching(ctx.loss_call, batch.output):
            ctx.emit("batch_mixing", {"skipped": "the output is an (N, N) score matrix whose loss targets pair each row "
                                                 "with one column (contrastive logits): its rows depend on every sample by design"})
            return
        n, source = batch_size_for(ctx.loss_call, batch.output, batch.model), "loss target"
        if n is None:
            n, source = shared_batch_size(batch.output, batch.model, batch.args), "first dimension of the inputs and the 2-D output"
        try:
            if n is not None:
                result = batch_mixing(batch.model, batch.args, kwargs=batch.kwargs, batch_size=n)
                ctx.emit("batch_mixing", {**result.to_record(), "batch_size_from": source})
            elif _dims(batch.output) >= 3:  # a sequence output: (batch, time) or (time, batch)
                ctx.emit("batch_mixing", self._either_dim(batch))
            else:
                ctx.emit("batch_mixing", {"skipped": "batch size unknown: the loss target and the model output differ in their first dimension"})
        except BatchMixingError as exc:
            ctx.emit("batch_mixing", {"skipped": str(exc)})

    @staticmethod
    def _either_dim(batch: Any) -> dict[str, Any]:
        """Dims 0 and 1 of a sequence output whose batch the loss leaves open (it reads the
        output flattened, or a sequence-first module may make dim 0 time), each taken for the
        batch in turn.

        One of them may be time, along which a recurrent or attention model depends on other
        positions by design; along the batch, samples must not. So the samples count as mixed
        only when they mix along both (the record is the first check's). A swap of batch and
        time of equal lengths mixes along one only and is not seen: the model is then a correct
        model of the other layout. A dimension that the inputs do not have (the classes of a
        (batch, classes, length) output) cannot be the batch: the other one is judged alone.
        """
        output = first_float(batch.output)
        results, errors = {}, []
        for d in (0, 1):
            try:
                results[d] = batch_mixing(batch.model, batch.args, kwargs=batch.kwargs, batch_size=output.shape[d], dim=d)
            except BatchMixingError as exc:
                errors.append(exc)
        if not results:
            raise errors[0]
        record = next(iter(results.values())).to_record()
        record["mixed"] = all(r.mixed for r in results.values())
        record["batch_size_from"] = (
            f"output dim {min(results)}; dims 0 and 1 were each taken for the batch, since the loss leaves open which one is time"
            + (f" (only dim {min(results)} could be checked)" if len(results) == 1 else "")
        )
        record["mixed_along"] = [d for d, r in results.items() if r.mixed]
        return record


class FunctionCheckProbe(Probe):
    """The user's custom autograd Functions (in the model or after it, in a hand-written loss),
    each checked once against finite differences on the arguments of its first call, at the
    first step after that call (a Function first used late in a run, by a second training
    phase, is checked then)."""

    name = "function_check"
    cost = Cost.EXPENSIVE
    schedule = EVERY_STEP

    def __init__(self) -> None:
        self._checked: set[type] = set()

    def before_step(self, ctx: StepContext) -> None:
        if len(self._checked) == len(ctx.run.functions):
            return
        checks = []
        for function, (args, kwargs) in ctx.run.functions.items():
            if function in self._checked:
                continue
            self._checked.add(function)
            try:
                found = check_function(function, args, kwargs)
                scale = gradient_scale(function, args, kwargs) if found is not None and found.verdict == "wrong" else None
            except Exception as exc:  # noqa: BLE001 - a Function that cannot run on float64 copies: said so
                checks.append({"module": function.__qualname__, "skipped": describe_exception(exc)})
                continue
            if found is not None:
                checks.append({**asdict(found), "gradient_scale": scale})
            ctx.run.functions[function] = ((), {})  # checked once: its argument copies are not kept
        ctx.emit("function_check", {"checks": checks})


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    given = settings.options.get("gradcheck_seconds")
    seconds = float(given) if given is not None else TIME_BUDGET_S.get(settings.preset, 15.0)
    return [GradientCheckProbe(seconds, fixed=given is not None), BatchMixingProbe(), FunctionCheckProbe()]

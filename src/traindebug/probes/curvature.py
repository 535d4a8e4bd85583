"""Sharpness of the loss on the user's own batch: top Hessian eigenvalue and trace.

At step 0 and on a log-spaced schedule, just before the optimizer updates the
parameters, the probe re-runs the user's model and loss function on the step's
batch inside ``isolated(model)`` and estimates, by Hessian-vector products
(``traindebug.curvature``):

- ``lambda_max`` by Lanczos, warm-started from the previous eigenvector, and
  ``lambda_min``, the smallest Ritz value of the same run (an upper bound on the
  smallest eigenvalue, not converged: negative values show negative curvature);
- for Adam/AdamW, ``preconditioned_lambda_max``: the top eigenvalue of
  ``P^-1 H`` with Adam's current preconditioner ``P = sqrt(v_hat) + eps``;
- in the economy and full presets, the Hessian ``trace`` (Hutchinson, with
  ``trace_samples`` Rademacher probes from the probe's own generator).

Each estimate is a ``curvature`` record with the optimizer in use and its
``lr``, ``momentum``, ``dampening``, ``nesterov`` and ``betas``. The Hessian is the
one of the loss function's output (terms the script adds to it, such as a
hand-written penalty, are not included) on the current batch.

Cost caps (``PRESETS``): at most ``max_hvps`` products per eigenvalue,
``max_seconds`` per estimate, and a share of the run's wall time overall; an
estimate that would exceed it is skipped and a ``curvature_skipped`` record
says why (once per reason).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from traindebug.curvature import (
    CurvatureUnsupported,
    HessianOperator,
    ScaledOperator,
    adam_preconditioner_scale,
    hutchinson_trace,
    lanczos,
)
from traindebug.isolation import isolated
from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, RunContext, Settings, StepContext
from traindebug.probes.per_sample import model_output
from traindebug.schedule import Schedule

#: Lanczos stopping rule: residual of the top Ritz pair below 1 % of the eigenvalue.
TOLERANCE = 1e-2
#: the Lanczos basis (max_hvps vectors of the model's size) may use at most this
#: many bytes; beyond it the probe keeps two vectors only (no reorthogonalisation,
#: no eigenvector to warm-start the next estimate from).
BASIS_BYTES = 512 * 2**20


@dataclass(frozen=True)
class CurvatureBudget:
    """How much curvature a preset may buy.

    Time spent on curvature may reach ``run_fraction`` of the run's wall time
    since the probe started, but never less than ``floor_seconds`` (so that
    step 0 is always measured) and never more than ``max_total_seconds``.
    """

    schedule: Schedule
    max_hvps: int  # per eigenvalue estimate
    max_seconds: float  # per estimate
    floor_seconds: float
    run_fraction: float
    max_total_seconds: float
    trace_samples: int  # Hutchinson probes; 0: no trace

    def allowed(self, elapsed: float) -> float:
        """Seconds of curvature allowed after ``elapsed`` seconds of the run."""
        return min(self.max_total_seconds, max(self.floor_seconds, self.run_fraction * elapsed))


PRESETS = {
    "cheap": CurvatureBudget(Schedule(first=1, per_decade=3), max_hvps=20, max_seconds=5.0, floor_seconds=2.0,
                             run_fraction=0.1, max_total_seconds=60.0, trace_samples=0),
    "economy": CurvatureBudget(Schedule(first=1, per_decade=6), max_hvps=30, max_seconds=20.0, floor_seconds=10.0,
                               run_fraction=0.25, max_total_seconds=300.0, trace_samples=16),
    "full": CurvatureBudget(Schedule(first=3, per_decade=10), max_hvps=50, max_seconds=60.0, floor_seconds=30.0,
                            run_fraction=1.0, max_total_seconds=1800.0, trace_samples=64),
}


def optimizer_hyperparameters(optimizer: torch.optim.Optimizer | None) -> dict[str, Any]:
    """Type, lr and momentum terms of an optimizer's first param group (and whether groups differ)."""
    if optimizer is None:
        return {"optimizer": None}
    group = optimizer.param_groups[0]
    lrs = {float(g["lr"]) for g in optimizer.param_groups}
    betas = group.get("betas")
    return {
        "optimizer": type(optimizer).__name__,
        "lr": float(group["lr"]),
        "lr_groups_differ": len(lrs) > 1,
        "momentum": float(group.get("momentum", 0.0) or 0.0),
        "dampening": float(group.get("dampening", 0.0) or 0.0),
        "nesterov": bool(group.get("nesterov", False)),
        "betas": [float(b) for b in betas] if betas is not None else None,
    }


class CurvatureProbe(Probe):
    """Lanczos sharpness (and Hutchinson trace) of the training loss on the user's batch."""

    name = "curvature"
    cost = Cost.EXPENSIVE

    def __init__(self, budget: CurvatureBudget) -> None:
        self.budget = budget
        self.schedule = budget.schedule
        self._spent = 0.0
        self._last_seconds = 0.0
        self._vector: torch.Tensor | None = None
        self._generator: torch.Generator | None = None
        self._skipped: set[str] = set()
        self._measured_step = -1
        self._started = 0.0

    def setup(self, run: RunContext) -> None:
        self._started = time.perf_counter()

    def before_step(self, ctx: StepContext) -> None:
        if ctx.step == self._measured_step:
            return  # step 0 is seen again once the first optimizer step shows up
        if ctx.backward_count == 0:
            self._skip(ctx, "closure optimizers (L-BFGS) evaluate their batch inside step(): not measured")
            return
        problem = self._problem(ctx)
        if problem:
            self._skip(ctx, problem)
            return
        allowed = self.budget.allowed(time.perf_counter() - self._started)
        if self._spent + self._last_seconds > allowed:
            self._skip(ctx, f"time budget: curvature may take {self.budget.run_fraction:g} of the run's time "
                            f"(at least {self.budget.floor_seconds:g} s, at most {self.budget.max_total_seconds:g} s)")
            return
        self._measured_step = ctx.step
        t0 = time.perf_counter()
        try:
            record = self._estimate(ctx)
        except CurvatureUnsupported as exc:
            self._skip(ctx, str(exc))
            return
        finally:
            self._last_seconds = time.perf_counter() - t0
            self._spent += self._last_seconds
        record["seconds"] = round(self._last_seconds, 4)
        ctx.emit("curvature", record)

    def _problem(self, ctx: StepContext) -> str:
        if ctx.batch is None or ctx.loss_call is None:
            return "no nn.Module model or no torch loss function was seen (functional models are not supported)"
        if model_output(ctx.batch.output, ctx.loss_call.input) is None:
            return "the loss function's input is not the model's output"
        replay = ctx.loss_call.replay_problem()
        if replay:
            return replay
        if any(p.grad is not None and p.grad.layout != torch.strided for p in ctx.batch.model.parameters()):
            return "a layer has sparse gradients (nn.Embedding(sparse=True)): no Hessian-vector products"
        if ctx.loss_call.output.numel() != 1:
            return "the loss function returns a tensor, not a scalar"
        return ""

    def _skip(self, ctx: StepContext, reason: str) -> None:
        if reason not in self._skipped:
            self._skipped.add(reason)
            ctx.emit("curvature_skipped", {"reason": reason})

    def _estimate(self, ctx: StepContext) -> dict[str, Any]:
        batch, call = ctx.batch, ctx.loss_call
        assert batch is not None and call is not None
        model = batch.model
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = _optimizer_of(ctx.run.optimizers, params)
        record: dict[str, Any] = optimizer_hyperparameters(optimizer)
        with isolated(model):

            def closure() -> torch.Tensor:
                output = model_output(model(*batch.args, **batch.kwargs), call.input)
                return call.recompute(output).float()

            op = HessianOperator(closure, params)
            if self._generator is None:
                self._generator = torch.Generator(device=op.device)
                self._generator.manual_seed(0)
            reorthogonalize = op.dim * self.budget.max_hvps * op.params[0].element_size() <= BASIS_BYTES
            top = lanczos(
                op,
                tol=TOLERANCE,
                max_iter=self.budget.max_hvps,
                start=self._vector,
                generator=self._generator,
                max_seconds=self.budget.max_seconds,
                reorthogonalize=reorthogonalize,
            )
            if top.vector is not None:
                self._vector = top.vector
            record.update(
                loss=float(op.loss),
                lambda_max=top.value,
                lambda_min=top.smallest,
                converged=top.converged,
                hvps=top.hvps,
                params=op.dim,
            )
            if optimizer is not None and record["optimizer"] in ("Adam", "AdamW"):
                scale = adam_preconditioner_scale(optimizer, params)
                if scale is not None:
                    pre = lanczos(ScaledOperator(op, scale), tol=TOLERANCE, max_iter=self.budget.max_hvps,
                                  generator=self._generator, max_seconds=self.budget.max_seconds,
                                  reorthogonalize=reorthogonalize)
                    record.update(preconditioned_lambda_max=pre.value, preconditioned_converged=pre.converged)
            if self.budget.trace_samples:
                trace = hutchinson_trace(op, self.budget.trace_samples, self._generator)
                record.update(trace=trace.value, trace_stderr=trace.stderr, trace_samples=trace.samples)
            record["hvps_total"] = op.hvps
        return record


def _optimizer_of(optimizers: list[torch.optim.Optimizer], params: list[nn.Parameter]) -> torch.optim.Optimizer | None:
    """The optimizer that updates most of ``params`` (None if there is none)."""
    ids = {id(p) for p in params}
    best, count = None, 0
    for opt in optimizers:
        n = sum(1 for g in opt.param_groups for p in g["params"] if id(p) in ids)
        if n > count:
            best, count = opt, n
    return best


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    budget = PRESETS.get(settings.preset, PRESETS["cheap"])
    return [CurvatureProbe(budget)]

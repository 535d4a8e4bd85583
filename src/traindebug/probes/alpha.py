"""The local step-size quality alpha (Cockpit's ``Alpha``; Mahsereci & Hennig 2017).

For a due step t (the start point) and the next step t+1 (the end point) it
takes, along the update d = theta_{t+1} - theta_t, the loss and its directional
derivative with their sample variances: at the start from the user's batch of
step t, at the end from the user's batch of step t+1 (as Cockpit does). It fits
a parabola to these four noisy observations (weighted least squares) and
reports where the step landed on it:

    alpha = -1   the step stayed at the start (too short),
    alpha =  0   it reached the minimum of the parabola,
    alpha =  1   it landed at the same height on the other side,
    alpha >  1   it overshot (the loss along d went up).

A concave fit is reported as alpha = -1 with ``concave = 1`` (Cockpit logs -1
too). It emits one ``alpha`` record per measurement: ``step`` (the start step),
``alpha``, ``concave``, ``update_size`` (|d|), ``f0``, ``f1``, ``df0``, ``df1``.

Per-sample directional derivatives come from the engine (``per_sample.py``):
from the user's own backward on the ``hooks`` path, else one forward-mode pass.
Memory: one copy of the parameters between the two points.

Cost and its one difference from Cockpit: on the hooks path each end point's
per-sample directional derivatives cost one forward pass's matrix products over
the samples used. Over a whole batch both ends take ~0.85 of a plain training
step on the 784-500-400-10 MLP at batch 128, so on larger batches the variance of
the directional derivative comes from ``ALPHA_SAMPLES`` samples drawn at random
(an unbiased estimate of the batch's; Cockpit uses every sample). The mean is, as
in Cockpit, the batch gradient's projection <g, d> (exact, nearly free), and the
losses use the whole batch. The option ``alpha_samples=0`` uses every sample.
Measured on that MLP (40 steps, SGD with momentum, lr 0.01 / 0.1 / 1): 32
samples moved alpha by 0.000 / 0.001 / 0.017 per step (median; at most 0.24),
and the steps with alpha > 1 were 0 / 0 / 3 against 0 / 0 / 4 with every sample.
The start gradients are kept as references (no copy); if the user's
``zero_grad(set_to_none=False)`` or the optimizer changed them before the step
completed, the start point's mean comes from every sample's derivative instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from traindebug.probes.base import Cost, Probe, StepContext
from traindebug.probes.per_sample import sample_scale
from traindebug.schedule import Schedule

if TYPE_CHECKING:
    from traindebug.probes.per_sample import PerSampleEngine

ZERO_VARIANCE = 1e-10  # Cockpit's stand-in for a zero variance in the fit
#: samples of the batch whose directional derivatives are computed (0: all; see the docstring)
ALPHA_SAMPLES = 32


def fit_alpha(t: torch.Tensor, fs: torch.Tensor, dfs: torch.Tensor, var_fs: torch.Tensor,
              var_dfs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(alpha, concave) of the weighted least-squares parabola through f(0), f(t), f'(0), f'(t)."""
    t = t.double()
    one, zero = torch.ones_like(t), torch.zeros_like(t)
    phi = torch.stack(
        [torch.stack([one, zero, zero]), torch.stack([one, t, t * t]),
         torch.stack([zero, one, zero]), torch.stack([zero, one, 2 * t])]
    ).T  # 3 x 4
    var = torch.cat([var_fs, var_dfs]).double()
    weights = 1.0 / torch.where(var == 0, torch.full_like(var, ZERO_VARIANCE), var)
    y = torch.cat([fs, dfs]).double()
    mu = torch.linalg.solve((phi * weights) @ phi.T, (phi * weights) @ y)
    concave = mu[2] < 0
    alpha = torch.where(concave, -torch.ones_like(t), -2 * t * mu[2] / mu[1] - 1)
    return alpha, concave


def projected(grads: list[torch.Tensor | None], direction: list[torch.Tensor]) -> torch.Tensor:
    """<g, d> over all tensors (a missing gradient counts as 0)."""
    dots = [torch.dot(g.reshape(-1).float(), d.reshape(-1).float()) for g, d in zip(grads, direction) if g is not None]
    return torch.stack(dots).sum() if dots else torch.zeros((), device=direction[0].device)


def _moments(proj: torch.Tensor, mean: torch.Tensor, size: torch.Tensor) -> torch.Tensor:
    """[mean, variance] of the directional derivative along the unit direction: the mean from
    the batch gradient (as Cockpit), the variance from the per-sample derivatives ``proj``."""
    return torch.stack([mean, proj.float().var()]) / torch.stack([size, size * size])


@dataclass
class _Start:
    step: int
    direction: list[torch.Tensor]
    size: torch.Tensor
    f: torch.Tensor  # mean, variance of per-sample losses
    df: torch.Tensor  # mean, variance of projected per-sample gradients


@dataclass(frozen=True)
class _Paired:
    """Due at the start points and at the step after each (the end points)."""

    start: Schedule

    def due(self, step: int) -> bool:
        return self.start.due(step) or (step > 0 and self.start.due(step - 1))


class AlphaProbe(Probe):
    """Alpha on the scheduled steps (each measurement also uses the next step)."""

    name = "alpha"
    cost = Cost.EXTRA_BACKWARD

    def __init__(self, engine: "PerSampleEngine", schedule: Schedule, samples: int = ALPHA_SAMPLES) -> None:
        self.engine = engine
        self.samples = samples
        self._start_schedule = schedule
        self._theta: list[torch.Tensor] | None = None
        #: the start point's gradients (references, not copies) with their versions, and the
        #: factor from the user's gradient to the mean per-sample-term gradient
        self._grads: tuple[list[torch.Tensor | None], list[int], torch.Tensor] | None = None
        self._armed = -1
        self._f0: torch.Tensor | None = None
        self._pending: _Start | None = None

    @property  # type: ignore[override]
    def schedule(self) -> _Paired:
        return _Paired(self._start_schedule)

    @schedule.setter
    def schedule(self, value: Schedule) -> None:
        self._start_schedule = value

    def before_step(self, ctx: StepContext) -> None:
        current = self.engine.current
        call = self.engine.loss_call(ctx)
        if current is None or current.step != ctx.step or current.n < 2 or call is None:
            self._pending = None
            return
        stats = torch.stack([current.losses.mean(), current.losses.var()])
        factor = sample_scale(call, current.n, ctx.loss) / current.n
        grads = [p.grad for _, p in ctx.params]
        pending, self._pending = self._pending, None
        if pending is not None and pending.step == ctx.step - 1:
            proj = self.engine.directional(ctx, pending.direction, samples=self.samples)
            if proj is not None:
                mean = projected(grads, pending.direction) * factor
                self._finish(ctx, pending, stats, _moments(proj, mean, pending.size))
        if self._start_schedule.due(ctx.step) and ctx.params:
            self._theta = [p.detach().clone() for _, p in ctx.params]
            self._grads = (grads, [-1 if g is None else g._version for g in grads], factor)
            self._f0 = stats
            self._armed = ctx.step
            self.engine.hold = True

    def after_step(self, ctx: StepContext) -> None:
        if self._armed != ctx.step or self._theta is None or self._f0 is None or self._grads is None:
            return
        self._armed = -1
        theta, self._theta = self._theta, None
        (grads, versions, factor), self._grads = self._grads, None
        direction = torch._foreach_sub([p.detach() for _, p in ctx.params[: len(theta)]], theta)
        # the start gradients are gone or changed (zero_grad(set_to_none=False)): every sample then
        unchanged = all(g is None or g._version == v for g, v in zip(grads, versions))
        proj = self.engine.directional(ctx, direction, at=theta, samples=self.samples if unchanged else 0)
        self.engine.release()
        if proj is None:
            return
        size = torch.stack([d.float().norm() for d in direction]).norm()
        mean = projected(grads, direction) * factor if unchanged else proj.float().mean()
        self._pending = _Start(ctx.step, direction, size, self._f0, _moments(proj, mean, size))

    def _finish(self, ctx: StepContext, start: _Start, f1: torch.Tensor, df1: torch.Tensor) -> None:
        fs = torch.stack([start.f[0], f1[0]])
        dfs = torch.stack([start.df[0], df1[0]])
        alpha, concave = fit_alpha(start.size, fs, dfs, torch.stack([start.f[1], f1[1]]),
                                   torch.stack([start.df[1], df1[1]]))
        ctx.emit(
            "alpha",
            {
                "step": start.step,
                "alpha": alpha.float(),
                "concave": concave.float(),
                "update_size": start.size,
                "f0": fs[0], "f1": fs[1], "df0": dfs[0], "df1": dfs[1],
            },
        )

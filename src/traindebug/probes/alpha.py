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
Measured on that MLP (40 steps, SGD with momentum 0.9, lr 0.01 / 0.1 / 1, a linear
teacher's labels), against every sample: 16 samples moved alpha by 0.0002 / 0.0015 /
0.027 per step (median; at most 0.27), 32 samples by 0.0001 / 0.0008 / 0.018 (at
most 0.26); the steps with alpha > 1 were 0 / 0 / 4 with 16 samples, 0 / 0 / 3 with
32 and 0 / 0 / 4 with every sample. 16 halves the matrix products of 32 (about
0.45 ms a step on that MLP, a tenth of its plain step).
The start gradients are kept as references (no copy); if the user's
``zero_grad(set_to_none=False)`` or the optimizer changed them before the step
completed, the start point's mean comes from every sample's derivative instead.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import torch

from traindebug.probes.base import Cost, Probe, StepContext, dense_grads
from traindebug.probes.per_sample import sample_scale
from traindebug.schedule import Schedule
from traindebug.store import OnHost

if TYPE_CHECKING:
    from traindebug.probes.per_sample import PerSampleEngine

ZERO_VARIANCE = 1e-10  # Cockpit's stand-in for a zero variance in the fit
#: samples of the batch whose directional derivatives are computed (0: all; see the docstring)
ALPHA_SAMPLES = 16


#: the numbers of one measurement, in the order of the tensor handed to the store
FIELDS = ("f0", "var_f0", "f1", "var_f1", "df0", "var_df0", "df1", "var_df1", "update_size")


@functools.lru_cache(maxsize=4)  # alpha and concave of one record from one fit
def fit_alpha(values: tuple[float, ...]) -> tuple[float, float]:
    """(alpha, concave) of the weighted least-squares parabola through f(0), f(t), f'(0),
    f'(t) (``values`` in the order of FIELDS, t the update size); run on the host when the
    record is written (a dozen scalar operations: as device kernels they cost more than
    the fit itself)."""
    f0, vf0, f1, vf1, df0, vdf0, df1, vdf1, t = values
    rows = ((1.0, 0.0, 0.0), (1.0, t, t * t), (0.0, 1.0, 0.0), (0.0, 1.0, 2 * t))
    weights = [1.0 / (v if v != 0 else ZERO_VARIANCE) for v in (vf0, vf1, vdf0, vdf1)]
    a = [[sum(w * r[i] * r[j] for w, r in zip(weights, rows)) for j in range(3)] for i in range(3)]
    b = [sum(w * r[i] * y for w, r, y in zip(weights, rows, (f0, f1, df0, df1))) for i in range(3)]
    mu = solve3(a, b)
    if mu is None or not mu[1]:
        return math.nan, math.nan
    concave = mu[2] < 0
    return (-1.0 if concave else -2 * t * mu[2] / mu[1] - 1), float(concave)


def solve3(a: list[list[float]], b: list[float]) -> list[float] | None:
    """The solution of a 3 x 3 linear system (Gaussian elimination with partial
    pivoting), or None if it is singular or not finite."""
    m = [row[:] + [rhs] for row, rhs in zip(a, b)]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda r: abs(m[r][col]))
        if not math.isfinite(m[pivot][col]) or m[pivot][col] == 0:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, 3):
            factor = m[r][col] / m[col][col]
            m[r] = [x - factor * y for x, y in zip(m[r], m[col])]
    x = [0.0, 0.0, 0.0]
    for r in (2, 1, 0):
        x[r] = (m[r][3] - sum(m[r][c] * x[c] for c in range(r + 1, 3))) / m[r][r]
    return x


def _field(name: str) -> Callable[[list[float]], float]:
    index = FIELDS.index(name)
    return lambda values: values[index]


def projected(grads: list[torch.Tensor | None], direction: list[torch.Tensor]) -> torch.Tensor:
    """<g, d> over all tensors (a missing gradient counts as 0), in float32 at least."""
    dots = [torch.dot(g.reshape(-1), d.reshape(-1)) if g.dtype == d.dtype == torch.float32
            else torch.dot(g.reshape(-1).float(), d.reshape(-1).float()) for g, d in zip(grads, direction) if g is not None]
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
        grads = dense_grads(ctx.params)
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
        size = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(direction, 2, dtype=torch.float32)))
        mean = projected(grads, direction) * factor if unchanged else proj.float().mean()
        self._pending = _Start(ctx.step, direction, size, self._f0, _moments(proj, mean, size))

    def _finish(self, ctx: StepContext, start: _Start, f1: torch.Tensor, df1: torch.Tensor) -> None:
        values = torch.cat([start.f, f1, start.df, df1, start.size.reshape(1)]).double()  # FIELDS
        record: dict[str, Any] = {"step": start.step,
                                  "alpha": OnHost(lambda v: fit_alpha(tuple(v))[0], (values,)),
                                  "concave": OnHost(lambda v: fit_alpha(tuple(v))[1], (values,))}
        record.update({name: OnHost(_field(name), (values,)) for name in ("f0", "f1", "df0", "df1", "update_size")})
        ctx.emit("alpha", record)

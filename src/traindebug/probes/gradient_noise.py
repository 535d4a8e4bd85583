"""Gradient noise: norm, inner-product and orthogonality tests, variance, mean GSNR.

From the per-sample gradients of the engine (``probes/per_sample.py``) on due
steps, with g_n the gradient of sample n's loss term, g their mean and N the
batch size, it records in the step record:

- ``noise_norm_test``: sqrt(tr(Cov) / N / |g|^2), the smallest theta for which
  Byrd et al. (2012)'s norm test passes (Cockpit's NormTest);
- ``noise_inner_test``: sqrt(Var(g_n . g) / N / |g|^4) (Bollapragada et al.
  2018, inner-product test; Cockpit's InnerTest);
- ``noise_ortho_test``: sqrt(Var(g_n orthogonal to g) / N / |g|^2)
  (Bollapragada et al. 2018, orthogonality test; Cockpit's OrthoTest);
- ``noise_batch_norm`` / ``noise_batch_inner`` / ``noise_batch_ortho``: the
  batch sizes with which each test would just pass at the papers' constants
  (theta, nu in ``thresholds``): N * test^2 / theta^2. At theta = 1 the norm-test
  batch is McCandlish et al. (2018)'s simple gradient noise scale tr(Cov)/|g|^2;
- ``noise_variance``: per tensor, the trace of the per-sample gradient
  covariance (sample variance, ddof=1);
- ``noise_gsnr`` (when the preset asks for it): mean over all parameters of
  g^2 / (E[g_n^2] - g^2 + 1e-5), Cockpit's MeanGSNR (Liu et al. 2020) with its
  constant 1e-5;
- ``noise_grad_sq``: |g|^2 and ``noise_n``: N.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import torch

from traindebug import thresholds as T
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import Schedule
from traindebug.store import OnHost

if TYPE_CHECKING:
    from traindebug.probes.per_sample import PerSampleEngine

GSNR_EPSILON = 1e-5  # Cockpit's MeanGSNR default


def gram_sums(grams: torch.Tensor) -> torch.Tensor:
    """What the tests need from the per-tensor Gram matrices [T, N, N], as one vector: the
    whole model's trace, sum and sum of squared row sums, then each tensor's trace, then
    each tensor's sum (a few reductions on the device; the tests follow on the host)."""
    per_trace = grams.diagonal(dim1=1, dim2=2).sum(1)
    per_total = grams.sum((1, 2))
    rows = grams.sum((0, 2))  # row sums of the whole-model Gram: N * (g_n . g)
    return torch.cat([torch.stack([per_trace.sum(), per_total.sum(), rows.square().sum()]), per_trace, per_total])


@functools.lru_cache(maxsize=4)  # one computation for the record's nine keys
def noise_values(sums: tuple[float, ...], n: int) -> dict[str, Any]:
    """The three tests, the batch sizes they suggest and the per-tensor variances from
    ``gram_sums`` (host values)."""
    trace, total, rows_sq = sums[:3]
    count = (len(sums) - 3) // 2
    per_trace, per_total = sums[3 : 3 + count], sums[3 + count :]
    variance = [(t - s / n) / (n - 1) for t, s in zip(per_trace, per_total)]
    g_sq = total / n**2
    proj_sq = rows_sq / n**2  # sum over n of (g_n . g)^2
    if not g_sq > 0:
        nan = math.nan
        return {"noise_grad_sq": g_sq, "noise_variance": variance, **dict.fromkeys(TEST_KEYS + BATCH_KEYS, nan)}
    var_l1 = (trace - n * g_sq) / (n - 1)
    var_proj = (proj_sq - n * g_sq**2) / (n - 1)
    var_orth = (trace - proj_sq / g_sq) / (n - 1)
    tests = [math.sqrt(max(v, 0.0)) for v in (var_l1 / n / g_sq, var_proj / n / g_sq**2, var_orth / n / g_sq)]
    constants = (T.NORM_TEST_THETA, T.INNER_TEST_THETA, T.ORTHO_TEST_NU)
    batches = [n * test**2 / c**2 for test, c in zip(tests, constants)]
    return {"noise_grad_sq": g_sq, "noise_variance": variance, **dict(zip(TEST_KEYS, tests)), **dict(zip(BATCH_KEYS, batches))}


#: the tests (Cockpit's NormTest, InnerTest, OrthoTest) and the batch sizes at which each would just pass
TEST_KEYS = ("noise_norm_test", "noise_inner_test", "noise_ortho_test")
BATCH_KEYS = ("noise_batch_norm", "noise_batch_inner", "noise_batch_ortho")


def mean_gsnr(means: list[torch.Tensor], sgs: list[torch.Tensor], n: int) -> torch.Tensor:
    """Cockpit's mean GSNR over all parameter elements."""
    ratios = []
    for m, s in zip(means, sgs):
        square = m.square()
        ratios.append(square.div_(s.div(n).sub_(square).add_(GSNR_EPSILON)).sum())  # in place: two temporaries
    return torch.stack(ratios).sum() / sum(m.numel() for m in means)


class GradientNoiseProbe(Probe):
    """Gradient-noise tests from per-sample gradients, on schedule."""

    name = "gradient_noise"
    cost = Cost.EXTRA_BACKWARD
    wants_gram = True

    def __init__(self, engine: "PerSampleEngine", schedule: Schedule, settings: Settings) -> None:
        self.engine = engine
        self.schedule = schedule
        #: mean GSNR needs the element-wise second moment (full preset, or asked for)
        self.wants_sgs = settings.preset == "full" or bool(settings.options.get("gsnr"))

    def before_step(self, ctx: StepContext) -> None:
        current = self.engine.current
        if current is None or current.step != ctx.step or current.n < 2:
            return
        n = current.n
        grams = [s.gram for s in current.stats]
        if not grams or any(g is None for g in grams):
            return
        sums = gram_sums(torch.stack(grams))  # type: ignore[arg-type]
        for key in ("noise_grad_sq", "noise_variance", *TEST_KEYS, *BATCH_KEYS):
            ctx.record(key, OnHost(lambda values, key=key: noise_values(tuple(values), n)[key], (sums,)))
        ctx.record("noise_n", n)
        if self.wants_sgs and all(s.sgs is not None and s.mean is not None for s in current.stats):
            ctx.record("noise_gsnr", mean_gsnr([s.mean for s in current.stats], [s.sgs for s in current.stats], n))  # type: ignore[misc]


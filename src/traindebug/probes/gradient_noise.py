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

from typing import TYPE_CHECKING

import torch

from traindebug import thresholds as T
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import Schedule

if TYPE_CHECKING:
    from traindebug.probes.per_sample import PerSampleEngine

GSNR_EPSILON = 1e-5  # Cockpit's MeanGSNR default


def noise_tests(gram: torch.Tensor, n: int) -> dict[str, torch.Tensor]:
    """The three tests from the N x N inner products of per-sample gradients."""
    l2 = gram.diagonal()
    g_sq = gram.sum() / n**2
    proj = gram.sum(1) / n  # g_n . g
    var_l1 = (l2.sum() - n * g_sq) / (n - 1)
    var_proj = ((proj**2).sum() - n * g_sq**2) / (n - 1)
    var_orth = (l2.sum() - (proj**2).sum() / g_sq) / (n - 1)
    return {
        "noise_grad_sq": g_sq,
        "noise_norm_test": (var_l1 / n / g_sq).clamp_min(0).sqrt(),
        "noise_inner_test": (var_proj / n / g_sq**2).clamp_min(0).sqrt(),
        "noise_ortho_test": (var_orth / n / g_sq).clamp_min(0).sqrt(),
    }


def suggested_batches(tests: dict[str, torch.Tensor], n: int) -> dict[str, torch.Tensor]:
    """Batch sizes at which each test would just pass, at the papers' constants."""
    return {
        "noise_batch_norm": n * tests["noise_norm_test"] ** 2 / T.NORM_TEST_THETA**2,
        "noise_batch_inner": n * tests["noise_inner_test"] ** 2 / T.INNER_TEST_THETA**2,
        "noise_batch_ortho": n * tests["noise_ortho_test"] ** 2 / T.ORTHO_TEST_NU**2,
    }


def tensor_variance(gram: torch.Tensor, n: int) -> torch.Tensor:
    """Trace of the per-sample gradient covariance of one tensor (ddof=1)."""
    return (gram.diagonal().sum() - gram.sum() / n) / (n - 1)


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
        gram = current.gram()
        if gram is None:
            return
        tests = noise_tests(gram, n)
        for key, value in {**tests, **suggested_batches(tests, n)}.items():
            ctx.record(key, value)
        ctx.record("noise_n", n)
        ctx.record("noise_variance", torch.stack([tensor_variance(s.gram, n) for s in current.stats]))
        if self.wants_sgs and all(s.sgs is not None and s.mean is not None for s in current.stats):
            ctx.record("noise_gsnr", mean_gsnr([s.mean for s in current.stats], [s.sgs for s in current.stats], n))  # type: ignore[misc]


"""Loss curvature: Hessian-vector products, top eigenvalue, trace, stability bound.

Pure functions over a loss closure and a list of parameters, usable from
Python without a session:

- ``HessianOperator``: Hessian-vector products by double backward (Pearlmutter's
  trick): the gradient graph is built once, each product is one extra backward.
- ``lanczos``: the largest (and smallest) Hessian eigenvalue by Lanczos, with full
  reorthogonalisation once a Ritz pair converges, optionally warm-started from a
  previous eigenvector.
- ``power_iteration``: PyHessian's method (Yao et al. 2020), kept as the reference
  (its stopping rule, or the residual rule of ``lanczos``).
- ``hutchinson_trace``: Hutchinson's estimator with Rademacher probes drawn
  from its own ``torch.Generator`` (the global RNG is never touched).
- ``diag_hessian_trace``: the exact trace from BackPACK's ``DiagHessian`` (or the
  trace of the generalised Gauss-Newton matrix, ``DiagGGNExact``).
- ``stability_bound``: the largest stable ``lr * lambda_max`` of an optimizer on a
  quadratic (Cohen et al. 2021 and 2022).

Vectors are flat tensors over all parameters, on the parameters' device.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import nn

Closure = Callable[[], torch.Tensor]
Progress = Callable[[int, float, float], None]  # (products so far, estimate, residual)


class CurvatureUnsupported(Exception):
    """The curvature quantity cannot be computed for this model or loss."""


class HessianOperator:
    """``v -> H v`` for the Hessian of ``closure()`` with respect to ``params``.

    The closure is evaluated once, at construction; its gradient graph is kept
    so that every product costs one backward pass. ``hvps`` counts the products.
    """

    def __init__(self, closure: Closure, params: Sequence[torch.Tensor]) -> None:
        self.params = list(params)
        if not self.params:
            raise CurvatureUnsupported("no parameters to differentiate")
        with torch.enable_grad():
            loss = closure()
            if not isinstance(loss, torch.Tensor) or loss.numel() != 1 or not loss.requires_grad:
                raise CurvatureUnsupported("the closure must return a scalar loss that depends on the parameters")
            grads = torch.autograd.grad(loss, self.params, create_graph=True, allow_unused=True)
        self.loss = loss.detach()
        self.gradient = torch.cat([_flat(g, p) for g, p in zip(grads, self.params)]).detach()
        # only gradients that still depend on the parameters have a second derivative
        self._live = [i for i, g in enumerate(grads) if g is not None and g.requires_grad]
        self._grads = [grads[i] for i in self._live]
        self.sizes = [p.numel() for p in self.params]
        self.dim = sum(self.sizes)
        self.device = self.params[0].device
        self.dtype = self.params[0].dtype
        self.hvps = 0

    def __call__(self, vector: torch.Tensor) -> torch.Tensor:
        """The Hessian-vector product ``H @ vector`` (flat, a new tensor)."""
        self.hvps += 1
        if not self._grads:
            return torch.zeros_like(vector)
        parts = vector.split(self.sizes)
        try:
            products = torch.autograd.grad(
                self._grads,
                [self.params[i] for i in self._live],
                [parts[i].view_as(self.params[i]) for i in self._live],
                retain_graph=True,
                allow_unused=True,
            )
        except RuntimeError as exc:  # e.g. fused attention kernels have no double backward
            if "not implemented" not in str(exc):
                raise
            raise CurvatureUnsupported(f"a layer has no second derivative in PyTorch ({str(exc).splitlines()[0]})") from None
        by_index = dict(zip(self._live, products))
        return torch.cat([_flat(by_index.get(i), p) for i, p in enumerate(self.params)])


def _flat(grad: torch.Tensor | None, param: torch.Tensor) -> torch.Tensor:
    return torch.zeros(param.numel(), device=param.device, dtype=param.dtype) if grad is None else grad.reshape(-1)


def hessian_vector_product(closure: Closure, params: Sequence[torch.Tensor], vector: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """``H v`` for one vector given per parameter (shapes as ``params``)."""
    op = HessianOperator(closure, params)
    flat = torch.cat([v.reshape(-1).to(op.dtype) for v in vector])
    return [hv.view_as(p) for hv, p in zip(op(flat).split(op.sizes), op.params)]


class ScaledOperator:
    """``u -> D H D u`` for a positive diagonal ``D`` (flat): the eigenvalues of
    ``D H D`` are those of the preconditioned Hessian ``P^-1 H`` with ``P = D^-2``."""

    def __init__(self, op: HessianOperator, scale: torch.Tensor) -> None:
        self.op = op
        self.scale = scale
        self.dim = op.dim
        self.device = op.device
        self.dtype = op.dtype

    @property
    def hvps(self) -> int:
        """Hessian-vector products used so far."""
        return self.op.hvps

    def __call__(self, vector: torch.Tensor) -> torch.Tensor:
        return self.scale * self.op(self.scale * vector)


Operator = HessianOperator | ScaledOperator


@dataclass
class EigenEstimate:
    """An extreme eigenvalue estimate and what it cost."""

    value: float  # largest eigenvalue (Lanczos: algebraic; power iteration: dominant)
    vector: torch.Tensor | None  # unit eigenvector estimate (flat), for warm starts
    hvps: int  # Hessian-vector products used
    converged: bool  # the stopping rule was met (not the iteration or time cap)
    smallest: float = math.nan  # smallest Ritz value (Lanczos only): an upper bound on the smallest eigenvalue
    residual: float = math.nan  # ||H v - value v|| (Lanczos: from the recurrence)
    seconds: float = 0.0


def _start_vector(op: Operator, start: torch.Tensor | None, generator: torch.Generator | None) -> torch.Tensor:
    if start is not None and start.numel() == op.dim and torch.isfinite(start).all() and start.norm() > 0:
        v = start.detach().to(op.device, op.dtype).clone()
    else:
        v = torch.randn(op.dim, device=op.device, dtype=op.dtype, generator=_generator(generator, op.device))
    return v / v.norm()


def _generator(generator: torch.Generator | None, device: torch.device) -> torch.Generator:
    if generator is not None:
        return generator
    g = torch.Generator(device=device)
    g.manual_seed(0)
    return g


def lanczos(
    op: Operator,
    *,
    tol: float = 1e-2,
    max_iter: int = 30,
    start: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    max_seconds: float | None = None,
    reorthogonalize: bool = True,
    progress: Progress | None = None,
) -> EigenEstimate:
    """Largest eigenvalue of a symmetric operator by the Lanczos method.

    Stops when the residual of the top Ritz pair, ``|beta_k s_k|`` from the
    recurrence, is at most ``tol * |value|``: for a symmetric matrix some
    eigenvalue then lies within ``tol * |value|`` of the estimate, and the top
    Ritz value approaches the largest eigenvalue from below. The tridiagonal
    matrix is re-diagonalised after every product, so the rule is checked as
    soon as it can hold. ``start`` warm-starts from a previous eigenvector.

    With ``reorthogonalize`` every Lanczos vector is kept (for the eigenvector)
    and, once some Ritz pair has nearly converged, each new vector is
    orthogonalised against all of them. Before that the three-term recurrence
    keeps them orthogonal to working precision: the new vector's overlap with a
    Ritz vector is about ``eps ||H|| / residual`` (Paige 1976), so full
    reorthogonalisation starts when a residual falls to ``10 sqrt(eps) ||T||``
    (semi-orthogonality, Simon 1984). With ``reorthogonalize=False`` only two
    vectors are kept (memory ``3 n`` instead of ``max_iter * n``) and no
    eigenvector is returned; the extreme Ritz value stays accurate.
    ``progress(hvps, value, residual)`` is called after every product.
    """
    t0 = time.perf_counter()
    used0 = op.hvps
    q = _start_vector(op, start, generator)
    # the Lanczos vectors as separate tensors: a preallocated (max_iter, n) matrix
    # costs a page fault per fresh page on every call, more than the products on CPU
    basis = [q]
    alphas: list[float] = []
    betas: list[float] = []
    value, smallest, residual, converged = math.nan, math.nan, math.inf, False
    ritz = torch.ones(1, dtype=torch.float64)
    orthogonalizing = False
    semi_orthogonal = 10 * math.sqrt(torch.finfo(op.dtype).eps)
    for k in range(max_iter):
        w = op(q)
        alpha = float(torch.dot(w, q))
        w.add_(q, alpha=-alpha)
        if betas:
            w.add_(basis[-2], alpha=-betas[-1])
        beta = float(w.norm())
        alphas.append(alpha)
        thetas, vectors = _tridiagonal_eigh(alphas, betas)
        if reorthogonalize and (orthogonalizing or _converging(thetas, vectors, beta, semi_orthogonal)):
            orthogonalizing = True  # the loss of orthogonality only grows from here
            for v in basis:  # modified Gram-Schmidt against every Lanczos vector
                w.add_(v, alpha=-float(torch.dot(w, v)))
            beta = float(w.norm())
        value, smallest = float(thetas[-1]), float(thetas[0])
        ritz = vectors[:, -1]
        residual = beta * abs(float(ritz[-1]))
        if progress is not None:
            progress(op.hvps - used0, value, residual)
        if not math.isfinite(value):
            break
        if residual <= tol * abs(value) or beta <= 1e-10 * max(abs(value), 1e-30):
            converged = True
            break
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
        if k + 1 < max_iter:
            betas.append(beta)
            q = w.div_(beta)
            basis.append(q)
            if not reorthogonalize:
                del basis[:-2]
    vector = None
    if reorthogonalize and math.isfinite(value):
        vector = torch.zeros_like(q)
        for c, v in zip(ritz.tolist(), basis):
            vector.add_(v, alpha=c)
        vector = vector / vector.norm()
    return EigenEstimate(
        value=value,
        vector=vector,
        hvps=op.hvps - used0,
        converged=converged,
        smallest=smallest,
        residual=residual,
        seconds=time.perf_counter() - t0,
    )


def _converging(thetas: torch.Tensor, vectors: torch.Tensor, beta: float, level: float) -> bool:
    """Some Ritz pair's residual ``beta |s_k|`` is at most ``level`` times ``||T||``."""
    residuals = beta * vectors[-1].abs()
    return bool(residuals.min() <= level * thetas.abs().max())


def _tridiagonal_eigh(alphas: list[float], betas: list[float]) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigen-decomposition of the Lanczos tridiagonal matrix (float64, on the host)."""
    k = len(alphas)
    t = torch.diag(torch.tensor(alphas, dtype=torch.float64))
    if k > 1:
        off = torch.tensor(betas[: k - 1], dtype=torch.float64)
        t += torch.diag(off, 1) + torch.diag(off, -1)
    if not torch.isfinite(t).all():
        nan = torch.full((k,), math.nan, dtype=torch.float64)
        return nan, torch.eye(k, dtype=torch.float64)
    return torch.linalg.eigh(t)


def power_iteration(
    op: Operator,
    *,
    tol: float = 1e-2,
    max_iter: int = 100,
    start: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    rule: str = "change",
    progress: Progress | None = None,
) -> EigenEstimate:
    """Dominant eigenvalue by power iteration, as PyHessian does.

    ``rule="change"`` (PyHessian's, there with tol=1e-3): stop when the Rayleigh
    quotient changes by less than ``tol`` relative to its value between two
    iterations. ``rule="residual"``: stop when ``||H v - value v|| <= tol * |value|``,
    the rule ``lanczos`` uses. ``progress(hvps, value, residual)`` is called after
    every product.
    """
    if rule not in ("change", "residual"):
        raise ValueError(f"power_iteration: rule must be 'change' or 'residual', not {rule!r}")
    t0 = time.perf_counter()
    used0 = op.hvps
    v = _start_vector(op, start, generator)
    value, residual, converged = math.nan, math.inf, False
    for _ in range(max_iter):
        hv = op(v)
        new = float(torch.dot(hv, v))
        residual = float((hv - new * v).norm())
        norm = hv.norm()
        if progress is not None:
            progress(op.hvps - used0, new, residual)
        if not math.isfinite(new) or float(norm) == 0.0:
            value = new
            break
        v = hv / norm
        if rule == "residual":
            done = residual <= tol * abs(new)
        else:
            done = math.isfinite(value) and abs(new - value) <= tol * (abs(value) + 1e-6)
        value = new
        if done:
            converged = True
            break
    return EigenEstimate(value=value, vector=v, hvps=op.hvps - used0, converged=converged, residual=residual,
                         seconds=time.perf_counter() - t0)


@dataclass
class TraceEstimate:
    """A Hessian trace and its uncertainty."""

    value: float
    stderr: float  # standard error of the mean over probes (0 for exact traces)
    samples: int  # Rademacher probes (0 for exact traces)
    hvps: int
    seconds: float = 0.0


def hutchinson_trace(op: Operator, samples: int, generator: torch.Generator | None = None) -> TraceEstimate:
    """Hutchinson's estimate ``mean_i z_i^T H z_i`` with ``samples`` Rademacher ``z_i``.

    The probes come from ``generator`` (a fresh one seeded with 0 if omitted);
    its variance is ``2 (||H||_F^2 - sum_i H_ii^2) / samples``.
    """
    if samples < 1:
        raise ValueError("hutchinson_trace needs at least one sample")
    t0 = time.perf_counter()
    used0 = op.hvps
    gen = _generator(generator, op.device)
    values = []
    for _ in range(samples):
        z = torch.randint(0, 2, (op.dim,), device=op.device, generator=gen).to(op.dtype) * 2 - 1
        values.append(torch.dot(z, op(z)))
    stacked = torch.stack(values).double()
    stderr = float(stacked.std() / math.sqrt(samples)) if samples > 1 else math.inf
    return TraceEstimate(float(stacked.mean()), stderr, samples, op.hvps - used0, time.perf_counter() - t0)


def diag_hessian_trace(
    model: nn.Module, loss_module: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *, ggn: bool = False
) -> TraceEstimate:
    """Exact trace of the Hessian (or, with ``ggn``, of the generalised
    Gauss-Newton matrix) from BackPACK's ``DiagHessian`` (``DiagGGNExact``).

    Works on deep copies: ``model`` and ``loss_module`` are not extended or
    changed. BackPACK supports sequences of its layers (Linear, Conv, activations,
    ...) with ``MSELoss``/``CrossEntropyLoss``; anything else raises
    ``CurvatureUnsupported``.
    """
    from backpack import backpack, extend
    from backpack.extensions import DiagGGNExact, DiagHessian

    t0 = time.perf_counter()
    copy_model = extend(copy.deepcopy(model))
    copy_loss = extend(copy.deepcopy(loss_module))
    params = [p for p in copy_model.parameters() if p.requires_grad]
    extension = DiagGGNExact() if ggn else DiagHessian()
    attr = "diag_ggn_exact" if ggn else "diag_h"
    try:
        with torch.enable_grad(), backpack(extension), warnings.catch_warnings():
            # inputs without requires_grad: torch warns about BackPACK's full backward hooks
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            loss = copy_loss(copy_model(inputs), targets)
            loss.backward()
    except NotImplementedError as exc:
        raise CurvatureUnsupported(f"BackPACK cannot compute {type(extension).__name__} here: {exc}") from None
    diagonals = [getattr(p, attr, None) for p in params]
    if any(d is None for d in diagonals):
        raise CurvatureUnsupported(f"BackPACK computed no {attr} for some parameters of {type(model).__name__}")
    value = float(sum(d.sum() for d in diagonals))  # type: ignore[union-attr]
    return TraceEstimate(value, 0.0, 0, 0, time.perf_counter() - t0)


# -- stability of the optimizer ------------------------------------------------------


@dataclass(frozen=True)
class StabilityBound:
    """``lr * sharpness`` must stay below ``value`` for the update to be stable."""

    value: float
    preconditioned: bool  # sharpness of P^-1 H (adaptive methods) rather than of H
    formula: str


def stability_bound(
    optimizer: str,
    *,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    betas: Sequence[float] | None = None,
) -> StabilityBound | None:
    """The stability bound of an optimizer on a quadratic, or None if unknown.

    - SGD: 2; heavy-ball momentum beta: 2 (1 + beta); PyTorch's dampening d
      scales the step, so 2 (1 + beta) / (1 - d); Nesterov: 2 (1 + beta) / (1 + 2 beta)
      (Cohen et al. 2021, "Gradient Descent on Neural Networks Typically Occurs
      at the Edge of Stability", section 2 and appendix).
    - Adam/AdamW: on the preconditioned sharpness lambda_max(P^-1 H),
      2 (1 + beta1) / (1 - beta1) = 38 for beta1 = 0.9, derived for a frozen
      preconditioner (Cohen et al. 2022, "Adaptive Gradient Methods at the Edge
      of Stability").
    """
    if optimizer == "SGD":
        beta = float(momentum or 0.0)
        if nesterov:
            return StabilityBound(2 * (1 + beta) / (1 + 2 * beta), False, "2(1+β)/(1+2β) (SGD, Nesterov)")
        if beta > 0:
            return StabilityBound(2 * (1 + beta) / (1 - float(dampening or 0.0)), False, "2(1+β) (SGD, heavy-ball momentum)")
        return StabilityBound(2.0, False, "2 (gradient descent)")
    if optimizer in ("Adam", "AdamW") and betas:
        beta1 = float(betas[0])
        return StabilityBound(2 * (1 + beta1) / (1 - beta1), True, "2(1+β1)/(1-β1) on the preconditioned sharpness (Adam)")
    return None


def adam_preconditioner_scale(optimizer: torch.optim.Optimizer, params: Sequence[torch.Tensor]) -> torch.Tensor | None:
    """``D = P^-1/2`` (flat) for Adam's preconditioner ``P = sqrt(v_hat) + eps``.

    None until the optimizer has state for every parameter (before its first step).
    """
    group_of = {id(p): g for g in optimizer.param_groups for p in g["params"]}
    parts = []
    for p in params:
        state = optimizer.state.get(p, {})
        group = group_of.get(id(p))
        if group is None or "exp_avg_sq" not in state or "step" not in state:
            return None
        step = float(state["step"])
        beta2 = float(group["betas"][1])
        v_hat = state["exp_avg_sq"].detach() / (1 - beta2**step)
        precond = v_hat.sqrt() + float(group["eps"])
        parts.append(precond.reshape(-1).to(p.dtype).rsqrt())
    return torch.cat(parts)

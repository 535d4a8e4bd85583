"""Finite-difference check of a model's own backward code (custom autograd Functions).

The check works on a deep copy of the model converted to float64 (float32 when
the model cannot run in float64; the looser tolerance is then stated), so the
user's model, parameters, gradients, BatchNorm statistics and RNG are untouched.
Every evaluation re-seeds the RNG, so dropout draws the same mask each time.

Two kinds of directional derivative are compared with autograd:

- per parameter tensor: the loss along a random direction ``v`` (standard
  normal entries, so ``eps`` is the step per entry as in a coordinate check)
  in that tensor only;
- per module: a random linear functional ``<u, module(x)>`` of the module's
  output along a random direction in its float inputs and its parameters,
  on the inputs the module saw in the forward. A module whose own check fails
  while its sub-modules pass is the one whose backward is wrong.

Each comparison sweeps ``eps`` over several decades (``eps = 1/N`` with
``N = 10^i``, as in the classic exercise of seeds/003): the error falls with
``eps`` while truncation dominates, then rises again when round-off dominates
(the V shape). A wrong backward shows instead as an error floor that no
``eps`` gets under. The verdict is taken only at usable ``eps``: where a
round-off bound and the disagreement of the one-sided differences (a ReLU kink
or max-pool switch within ``eps``) are well below the tolerance; a check with
fewer than two usable ``eps`` is ``no_signal``, never ``wrong``.
"""

from __future__ import annotations

import copy
import functools
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import torch
from torch import nn
from torch.utils._pytree import tree_flatten, tree_map, tree_unflatten

from traindebug import thresholds as T
from traindebug.isolation import rng_preserved

#: eps = 1/N for N = 10^i, i = 0..9: the grid of seeds/003 (N = k 10^i, k in {1, 5}, i <= 5) at
#: one point per decade, extended to the round-off side of float64
EPS_GRID: tuple[float, ...] = tuple(1.0 / 10**i for i in range(10))
#: a check that disagrees is repeated this far along its direction (per entry of the standard
#: normal direction): off an exact tie at a kink, below the largest eps that is usually usable
KINK_SHIFT = 1e-3

#: loss(output) -> scalar tensor; None means a fixed random linear functional of the output
LossFn = Callable[[Any], torch.Tensor]


class GradcheckError(Exception):
    """The model could not be checked (the message says why, in words)."""


@dataclass
class DirectionCheck:
    """One directional derivative: autograd against central finite differences."""

    scope: str  # "tensor" (the loss along one parameter tensor), "module" (a module's own backward) or "function" (a custom autograd Function)
    module: str
    tensor: str  # parameter name within the module, or "inputs+parameters" for module checks
    numel: int
    analytic: float
    numeric: float  # at the best eps
    #: |analytic - numeric| / max(|analytic|, |numeric|): the largest over the best eps and its grid neighbours
    rel_error: float
    best_eps: float
    #: "ok" | "wrong" | "no_signal" (no eps where round-off and kinks stay below the tolerance)
    verdict: str
    eps: list[float] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)  # relative error per eps
    usable: list[bool] = field(default_factory=list)  # eps where round-off and kinks allow a verdict
    #: the check disagreed at the step's point and was judged KINK_SHIFT along its direction,
    #: off an exact tie at a kink (the numbers are those of the moved check)
    kink_tie: bool = False
    #: width in decades of the eps range whose error is within 2x of the best (a bug: flat floor)
    plateau_decades: float = 0.0


@dataclass
class GradcheckResult:
    """The outcome of ``gradcheck``: one ``DirectionCheck`` per tensor and per module."""

    dtype: str
    rtol: float
    loss: float
    tensors: list[DirectionCheck]
    modules: list[DirectionCheck]
    seconds: float
    notes: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def wrong(self) -> list[DirectionCheck]:
        """Every failed check (tensors first)."""
        return [c for c in self.tensors + self.modules if c.verdict == "wrong"]

    @property
    def responsible(self) -> DirectionCheck | None:
        """The innermost module whose own backward disagrees, else the worst tensor."""
        bad = [c for c in self.modules if c.verdict == "wrong"]
        innermost = [c for c in bad if not any(_is_inside(o.module, c.module) for o in bad if o is not c)]
        if innermost:
            return max(innermost, key=lambda c: c.rel_error)
        bad_tensors = [c for c in self.tensors if c.verdict == "wrong"]
        return max(bad_tensors, key=lambda c: c.rel_error) if bad_tensors else None

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready dict (for the metric store)."""
        record = asdict(self)
        found = self.responsible
        record["responsible"] = asdict(found) if found else None
        return record

    def __str__(self) -> str:
        found = self.responsible
        head = f"gradcheck ({self.dtype}, rtol {self.rtol:g}): "
        if found is None:
            checks = self.tensors + self.modules
            agree = sum(c.verdict == "ok" for c in checks)
            head += f"{agree} of {len(checks)} tensor/module checks agree with finite differences"
            if agree < len(checks):
                head += f", {len(checks) - agree} could not be judged (kinks or round-off within every eps)"
        else:
            head += (
                f"WRONG gradient in {found.module or '<model>'} ({found.tensor}): autograd {found.analytic:.6g} "
                f"vs finite differences {found.numeric:.6g}, relative error {found.rel_error:.3g} at best eps {found.best_eps:g}"
            )
        return "\n".join([head, *self.notes])


def _is_inside(inner: str, outer: str) -> bool:
    """Whether module ``inner`` is a strict descendant of module ``outer`` (qualified names)."""
    return inner != outer and (outer == "" or inner.startswith(outer + "."))


def gradcheck(
    model: nn.Module,
    loss_fn: Callable[..., torch.Tensor] | None,
    batch: Any,
    *,
    seed: int = 0,
    modules: bool = True,
    max_seconds: float | None = None,
    eps: tuple[float, ...] = EPS_GRID,
    dtype: torch.dtype | None = None,
) -> GradcheckResult:
    """Check the model's gradients against finite differences on one batch.

    ``batch`` is ``(inputs, target)`` (``inputs`` a tensor or a tuple of
    positional arguments) or just ``inputs``; the loss is
    ``loss_fn(model(*inputs), target)`` (``loss_fn(output)`` without target).
    With ``loss_fn=None`` a fixed random linear functional of the output is used.
    ``dtype`` forces the precision of the check (default: float64, else float32).
    """
    if not isinstance(model, nn.Module):
        raise GradcheckError(f"gradcheck needs an nn.Module, got {type(model).__name__}")
    inputs, target = batch if isinstance(batch, (tuple, list)) and len(batch) == 2 else (batch, None)
    args = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)

    converted: dict[torch.dtype, Any] = {}

    def loss(output: Any, dtype: torch.dtype) -> torch.Tensor:
        if dtype not in converted:  # a loss module's buffers (class weights) in the model's dtype
            fn = copy.deepcopy(loss_fn).to(dtype) if isinstance(loss_fn, nn.Module) else loss_fn
            converted[dtype] = (fn, cast_floats(target, dtype))
        fn, cast = converted[dtype]
        return fn(output) if target is None else fn(output, cast)

    return check_model(model, args, {}, loss if loss_fn is not None else None, seed=seed,
                       modules=modules, max_seconds=max_seconds, eps=eps, dtype=dtype)


def check_model(
    model: nn.Module,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    loss: Callable[[Any, torch.dtype], torch.Tensor] | None,
    *,
    seed: int = 0,
    modules: bool = True,
    max_seconds: float | None = None,
    eps: tuple[float, ...] = EPS_GRID,
    dtype: torch.dtype | None = None,
) -> GradcheckResult:
    """``gradcheck`` on explicit forward arguments; ``loss(output, dtype)`` builds the scalar."""
    start = time.perf_counter()
    deadline = start + max_seconds if max_seconds else math.inf
    with rng_preserved(), torch.enable_grad():
        dtypes = (dtype,) if dtype else (torch.float64, torch.float32)
        copy_, dtype, notes = _prepared_copy(model, args, kwargs, loss, seed, dtypes)
        cargs, ckwargs = cast_floats((args, kwargs), dtype)
        generator = torch.Generator().manual_seed(seed)
        functional = _random_functional(generator, dtype) if loss is None else None
        if loss is None:
            notes.append("No loss given: a fixed random linear functional of the model output was checked.")

        def scalar(training_graph: bool) -> torch.Tensor:
            with torch.set_grad_enabled(training_graph):
                _seed_all(seed)
                out = copy_(*_fresh(cargs), **_fresh(ckwargs))
                return functional(out) if functional else loss(out, dtype)  # type: ignore[misc]

        rtol = T.GRADCHECK_RTOL_FLOAT64 if dtype == torch.float64 else T.GRADCHECK_RTOL_FLOAT32
        recorder = _InputRecorder(copy_) if modules else None
        base = scalar(True)
        if recorder:
            recorder.remove()
        if base.numel() != 1 or not torch.isfinite(base):
            shown = base.detach().flatten()[:3].tolist()
            raise GradcheckError(f"the loss must be one finite number, got shape {list(base.shape)} value {shown}")
        unchecked: list[str] = []
        tensors = _tensor_checks(copy_, base, scalar, generator, eps, rtol, deadline, unchecked)
        module_checks = _module_checks(recorder, generator, eps, rtol, seed, deadline, unchecked) if recorder else []
    if unchecked:
        notes.append(f"{len(unchecked)} tensors/modules not checked (no gradient, no float input, or time budget).")
    return GradcheckResult(
        dtype=str(dtype).replace("torch.", ""),
        rtol=rtol,
        loss=float(base.detach()),
        tensors=tensors,
        modules=module_checks,
        seconds=round(time.perf_counter() - start, 3),
        notes=notes,
        unchecked=unchecked,
    )


# -- preparation ------------------------------------------------------------------


def _prepared_copy(
    model: nn.Module, args: tuple, kwargs: dict, loss: Callable | None, seed: int, dtypes: tuple[torch.dtype, ...]
) -> tuple[nn.Module, torch.dtype, list[str]]:
    """A deep copy in the first of ``dtypes`` the model runs in (a note when not float64)."""
    failure = ""
    for dtype in dtypes:
        try:
            candidate = copy.deepcopy(model).to(dtype)
        except Exception as exc:  # noqa: BLE001 - any copy failure is reported in words
            raise GradcheckError(f"the model cannot be deep-copied ({type(exc).__name__}: {exc})") from exc
        try:
            with torch.no_grad():
                _seed_all(seed)
                out = candidate(*cast_floats(args, dtype), **cast_floats(kwargs, dtype))
                value = loss(out, dtype) if loss else first_float(out)
            if value is None or value.dtype != dtype:
                raise TypeError(f"output dtype is {getattr(value, 'dtype', None)}, not {dtype}")
        except Exception as exc:  # noqa: BLE001 - fall back to float32, then give up in words
            failure = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            continue
        notes = []
        if dtype != torch.float64 and failure:
            notes.append(
                f"The model does not run in float64 ({failure}); the check ran in float32, where round-off "
                f"limits finite differences: tolerance {T.GRADCHECK_RTOL_FLOAT32:g} instead of {T.GRADCHECK_RTOL_FLOAT64:g}, "
                "so gradient errors below that size are not detectable."
            )
        return candidate, dtype, notes
    raise GradcheckError(f"the model's forward failed on a copy of the batch ({failure})")


def cast_floats(value: Any, dtype: torch.dtype) -> Any:
    """Float tensors in a nested structure converted to ``dtype`` and detached."""
    return tree_map(lambda t: t.detach().to(dtype) if isinstance(t, torch.Tensor) and t.is_floating_point() else t, value)


def _fresh(value: Any) -> Any:
    """Clone tensors so in-place operations of the forward cannot alter the saved batch."""
    return tree_map(lambda t: t.clone() if isinstance(t, torch.Tensor) else t, value)


def _seed_all(seed: int) -> None:
    """Re-seed the RNGs (torch.manual_seed costs ~1 ms per call in lazy CUDA bookkeeping)."""
    torch.default_generator.manual_seed(seed)
    if torch.cuda.is_initialized():
        torch.cuda.manual_seed_all(seed)


def first_float(out: Any) -> torch.Tensor | None:
    """The first floating-point tensor of a model output (a tensor, or a tuple/dict of them)."""
    leaves, _ = tree_flatten(out)
    return next((t for t in leaves if isinstance(t, torch.Tensor) and t.is_floating_point()), None)


def _floats(out: Any) -> list[torch.Tensor]:
    leaves, _ = tree_flatten(out)
    return [t for t in leaves if isinstance(t, torch.Tensor) and t.is_floating_point()]


def _random_like(t: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(t.shape, generator=generator, dtype=t.dtype).to(t.device)


def _padding_rows(module: nn.Module | None) -> dict[int, int]:
    """The rows autograd leaves out by design, by tensor id: the ``padding_idx`` row of each
    embedding table in ``module`` gets no gradient although lookups read it (and a bidirectional
    RNN carries what it reads at padded positions into the real ones)."""
    if module is None:
        return {}
    return {id(m.weight): m.padding_idx for m in module.modules()
            if isinstance(m, (nn.Embedding, nn.EmbeddingBag)) and m.padding_idx is not None}


def _parameter_direction(p: torch.Tensor, generator: torch.Generator, padding: dict[int, int]) -> torch.Tensor:
    """A random direction in ``p``, zero in its padding row if it has one (``_padding_rows``)."""
    v = _random_like(p, generator)
    if id(p) in padding:
        v[padding[id(p)]] = 0
    return v


def _random_functional(generator: torch.Generator, dtype: torch.dtype) -> Callable[[Any], torch.Tensor]:
    """``out -> sum_k <u_k, out_k>`` with fixed random ``u_k`` drawn at first use."""
    weights: list[torch.Tensor] = []

    def functional(out: Any) -> torch.Tensor:
        outs = _floats(out)
        if not weights:
            weights.extend(_random_like(t.detach(), generator) for t in outs)
        return sum((u * t).sum() for u, t in zip(weights, outs))  # type: ignore[return-value]

    return functional


# -- the sweep ----------------------------------------------------------------------


def _sweep(
    evaluate: Callable[[float], float],
    analytic: float,
    scale: float,
    dtype: torch.dtype,
    eps_grid: tuple[float, ...],
    rtol: float,
) -> dict[str, Any]:
    """Central differences over the eps grid; the verdict at the most favourable eps.

    ``evaluate(t)`` is the scalar at ``theta + t v``; ``scale`` the magnitude of
    the summed terms, for the round-off bound ``ulps * machine_eps * scale / eps``.
    An eps is usable when, well below the tolerance (at most
    ``GRADCHECK_USABLE_TOL``): that bound; the change of the finite difference
    at the next smaller eps (its truncation error); and the disagreement of the
    one-sided differences beyond the bend of a smooth function (``eps * f''/2``,
    predicted from the next smaller eps), which a ReLU kink or a max-pool switch
    within eps produces. None of these involves autograd, so a wrong backward
    keeps its usable eps; only there can a bug be told apart from numerical noise.
    All three are measured against the finite difference itself, so a direction in which
    the loss does not change (numeric 0) gives no verdict, whatever autograd says.
    """
    unit = torch.finfo(dtype).eps
    centre = evaluate(0.0)
    raw = []
    for eps in sorted(eps_grid, reverse=True):
        plus, minus = evaluate(eps), evaluate(-eps)
        raw.append((eps, (plus - minus) / (2 * eps), (plus - 2 * centre + minus) / (2 * eps)))
    rows = []
    for k, (eps, numeric, bend) in enumerate(raw):
        smaller = raw[k + 1] if k + 1 < len(raw) else None
        if smaller is None:
            kink = converged = math.inf
        else:
            kink = min(abs(bend), abs(bend - smaller[2] * eps / smaller[0]))
            converged = abs(numeric - smaller[1])  # truncation error: gone at the smaller eps
        size = max(abs(analytic), abs(numeric))
        rel = abs(analytic - numeric) / size if size > 0 else 0.0
        noise = T.GRADCHECK_NOISE_ULPS * unit * scale / eps
        # judged against the finite difference's own size: a loss that is not smooth at any
        # eps of the grid (a chaotic RNN, whose exploding gradient is right but holds only
        # at scales below 1e-9) must not pass for a converged difference next to it
        usable = max(noise, kink, converged) <= 0.5 * min(rtol, T.GRADCHECK_USABLE_TOL) * abs(numeric)
        if not math.isfinite(numeric):
            rel, usable = math.inf, False
        rows.append((eps, numeric, rel, usable))
    usable_rows = [r for r in rows if r[3]]
    candidates = usable_rows or rows
    # the error that holds over a decade of eps (3 grid points): a kink's truncation error can
    # cancel a bug's error at one eps by chance, not at three
    held = [max(r[2] for r in candidates[max(k - 1, 0) : k + 2]) for k in range(len(candidates))]
    k = min(range(len(candidates)), key=held.__getitem__)
    eps, numeric, rel = candidates[k][0], candidates[k][1], held[k]
    # a verdict needs two usable eps at least: one alone may sit where noise happens to be low
    verdict = "no_signal" if len(usable_rows) < 2 else ("wrong" if rel > rtol else "ok")
    floor = [r[0] for r in rows if r[2] <= 2 * rel]
    return {
        "analytic": analytic,
        "numeric": numeric,
        "rel_error": rel,
        "best_eps": eps,
        "verdict": verdict,
        "eps": [r[0] for r in rows],
        "errors": [r[2] for r in rows],
        "usable": [r[3] for r in rows],
        "plateau_decades": math.log10(max(floor) / min(floor)) if floor and rel > 0 else 0.0,
    }


def _tensor_checks(
    model: nn.Module,
    base: torch.Tensor,
    scalar: Callable[[bool], torch.Tensor],
    generator: torch.Generator,
    eps_grid: tuple[float, ...],
    rtol: float,
    deadline: float,
    unchecked: list[str],
) -> list[DirectionCheck]:
    """The loss along a random direction in each parameter tensor."""
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad and p.is_floating_point()]
    grads = torch.autograd.grad(base, [p for _, p in named], allow_unused=True)
    scale = abs(float(base.detach()))
    padding = _padding_rows(model)
    checks = []
    for (name, p), g in zip(named, grads):
        if g is None or time.perf_counter() > deadline:
            unchecked.append(name)
            continue
        v = _parameter_direction(p, generator, padding)
        analytic = float((g * v).sum())
        original = p.detach().clone()

        def evaluate(t: float, p: torch.Tensor = p, v: torch.Tensor = v, original: torch.Tensor = original) -> float:
            with torch.no_grad():
                p.copy_(original).add_(v, alpha=t)
                value = float(scalar(False))
                p.copy_(original)
            return value

        module, _, tensor = name.rpartition(".")
        result = _sweep(evaluate, analytic, scale, p.dtype, eps_grid, rtol)
        checks.append(DirectionCheck(scope="tensor", module=module, tensor=tensor, numel=p.numel(), **result))
    return checks


class _InputRecorder:
    """Saves (a clone of) the arguments of each module's first call during one forward."""

    def __init__(self, model: nn.Module) -> None:
        self.calls: dict[str, tuple[nn.Module, tuple, dict]] = {}
        #: per module, per flattened argument: did it require grad (an activation, not data)?
        self.needs_grad: dict[str, list[bool]] = {}
        self._handles = [
            m.register_forward_pre_hook(self._hook(name), with_kwargs=True) for name, m in model.named_modules()
        ]

    def _hook(self, name: str) -> Callable:
        def save(module: nn.Module, args: tuple, kwargs: dict) -> None:
            if name not in self.calls:
                leaves, _ = tree_flatten((args, kwargs))
                self.needs_grad[name] = [isinstance(t, torch.Tensor) and t.requires_grad for t in leaves]
                detached = tree_map(lambda t: t.detach().clone() if isinstance(t, torch.Tensor) else t, (args, kwargs))
                self.calls[name] = (module, *detached)

        return save

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


def _module_checks(
    recorder: _InputRecorder,
    generator: torch.Generator,
    eps_grid: tuple[float, ...],
    rtol: float,
    seed: int,
    deadline: float,
    unchecked: list[str],
) -> list[DirectionCheck]:
    """Each module's backward (inputs and parameters) against finite differences."""
    checks = []
    for name, (module, args, kwargs) in recorder.calls.items():
        if time.perf_counter() > deadline:
            unchecked.append(f"module {name or '<model>'}")
            continue
        params = [p for p in module.parameters() if p.requires_grad and p.is_floating_point()]
        check = _callable_check("module", name, "inputs+parameters", module, params, args, kwargs,
                                recorder.needs_grad[name], generator, eps_grid, rtol, seed, module=module)
        if check is not None:
            checks.append(check)
    return checks


def check_function(function: type, args: tuple, kwargs: dict, *, seed: int = 0,
                   eps: tuple[float, ...] = EPS_GRID) -> DirectionCheck | None:
    """A custom autograd Function's backward against central finite differences of its
    forward, on a float64 copy of the arguments of one of its calls; None if it has no float
    argument. Every float argument is perturbed, not only those that required grad in that call:
    a Function applied to the data in its first call and to activations later (one layer used
    throughout a network) returns the input gradient only from the second call on."""
    leaves, _ = tree_flatten((args, kwargs))
    needs_grad = [isinstance(t, torch.Tensor) and t.is_floating_point() for t in leaves]
    cargs, ckwargs = cast_floats((args, kwargs), torch.float64)
    with rng_preserved(), torch.enable_grad():
        return _callable_check("function", function.__qualname__, "inputs", function.apply, [], cargs, ckwargs,
                               needs_grad, torch.Generator().manual_seed(seed), eps, T.GRADCHECK_RTOL_FLOAT64, seed)


def gradient_scale(function: type, args: tuple, kwargs: dict, *, seed: int = 0) -> float | None:
    """c when a custom autograd Function passes one of its tensor arguments through unchanged
    and its backward returns c times the incoming gradient (a gradient-reversal layer: c < 0;
    gradient scaling; a stop: c = 0), else None. Such a Function disagrees with finite
    differences by design. Run on float64 copies of the arguments of one call."""
    cargs, ckwargs = cast_floats((args, kwargs), torch.float64)
    leaves, spec = tree_flatten((cargs, ckwargs))
    slots = [i for i, t in enumerate(leaves) if isinstance(t, torch.Tensor) and t.is_floating_point()]
    generator = torch.Generator().manual_seed(seed)
    with rng_preserved(), torch.enable_grad():
        for i in slots:
            filled = list(leaves)
            filled[i] = x = leaves[i].detach().clone().requires_grad_()
            a, k = tree_unflatten(filled, spec)
            out = function.apply(*a, **k)
            if not isinstance(out, torch.Tensor) or out.shape != x.shape or not torch.equal(out.detach(), x.detach()):
                continue
            u = _random_like(x, generator)
            (g,) = torch.autograd.grad(out, x, u, allow_unused=True) if out.requires_grad else (None,)
            if g is None:
                return 0.0
            c = float((g * u).sum() / (u * u).sum())
            return c if torch.allclose(g, c * u, rtol=1e-9, atol=1e-12) else None
    return None


def _callable_check(
    scope: str,
    name: str,
    label: str,
    forward: Callable[..., Any],
    params: list[torch.Tensor],
    args: tuple,
    kwargs: dict,
    needs_grad: list[bool],
    generator: torch.Generator,
    eps_grid: tuple[float, ...],
    rtol: float,
    seed: int,
    module: nn.Module | None = None,
) -> DirectionCheck | None:
    """One directional check of ``forward(*args, **kwargs)``: along a random direction of its float
    arguments that need grad and of ``params`` (of ``module``, if it is one), against a random
    weighting of its float outputs."""
    leaves, spec = tree_flatten((args, kwargs))
    # only activations are perturbed: training never uses the gradient of the data itself, and
    # exact ties in data (constant image regions) put max-pool switches at every eps
    slots = [
        i for i, t in enumerate(leaves)
        if isinstance(t, torch.Tensor) and t.is_floating_point() and needs_grad[i]
    ]
    if not slots and not params:
        return None
    x = [leaves[i].detach().clone().requires_grad_() for i in slots]
    vx = [_random_like(t, generator) for t in x]
    padding = _padding_rows(module)
    vp = [_parameter_direction(p, generator, padding) for p in params]
    originals = [p.detach().clone() for p in params]

    def call(inputs: list[torch.Tensor]) -> list[torch.Tensor]:
        filled = list(leaves)
        for i, t in zip(slots, inputs):
            filled[i] = t.clone()
        a, k = tree_unflatten(_fresh(filled), spec)
        _seed_all(seed)
        return _floats(forward(*a, **k))

    outs = call(x)
    if not outs or not any(o.requires_grad for o in outs):
        return None
    weights = [_random_like(o.detach(), generator) for o in outs]
    total = sum((u * o).sum() for u, o in zip(weights, outs))
    grads = torch.autograd.grad(total, x + params, allow_unused=True)
    if all(g is None for g in grads):
        return None
    # tensors the graph does not reach (detached) are no_gradient_flow's business: not perturbed
    vx = [v if g is not None else torch.zeros_like(v) for g, v in zip(grads[: len(x)], vx)]
    vp = [v if g is not None else torch.zeros_like(v) for g, v in zip(grads[len(x) :], vp)]
    analytic = float(sum((g * v).sum() for g, v in zip(grads, vx + vp) if g is not None))
    scale = float(sum((u * o.detach()).abs().sum() for u, o in zip(weights, outs)))

    def moved(t: float) -> list[torch.Tensor]:
        """The inputs at ``t`` along the direction, the parameters set there (restore after)."""
        with torch.no_grad():
            for p, orig, v in zip(params, originals, vp):
                p.copy_(orig).add_(v, alpha=t)
        return [a.detach() + t * v for a, v in zip(x, vx)]

    def restore() -> None:
        with torch.no_grad():
            for p, orig in zip(params, originals):
                p.copy_(orig)

    def evaluate(t: float, start: float = 0.0) -> float:
        with torch.no_grad():
            value = float(sum((u * o).sum() for u, o in zip(weights, call(moved(start + t)))))
        restore()
        return value

    dtype = (x[0] if x else params[0]).dtype
    result = _sweep(evaluate, analytic, scale, dtype, eps_grid, rtol)
    if result["verdict"] == "wrong":
        # a piecewise-linear activation exactly at its kink (ReLU of an exact 0: zero inputs with
        # zero biases) takes one side's derivative in autograd and the average in a central
        # difference, at every eps. Moved off the tie, such a check agrees; a wrong or cut
        # backward disagrees wherever it is checked
        inputs = [t.requires_grad_() for t in moved(KINK_SHIFT)]
        grads = torch.autograd.grad(sum((u * o).sum() for u, o in zip(weights, call(inputs))), inputs + params,
                                    allow_unused=True)
        restore()
        shifted_analytic = float(sum((g * v).sum() for g, v in zip(grads, vx + vp) if g is not None))
        shifted = _sweep(functools.partial(evaluate, start=KINK_SHIFT), shifted_analytic, scale, dtype, eps_grid, rtol)
        if shifted["verdict"] != "wrong":
            result = {**shifted, "kink_tie": True}
    numel = sum(t.numel() for t in x) + sum(p.numel() for p in params)
    return DirectionCheck(scope=scope, module=name, tensor=label, numel=numel, **result)

"""Does sample i's output depend on another sample j of the batch? (reshape/transpose bugs)

One backward of ``<u, output[i]>`` (a fixed random weighting of sample i's
outputs, so outputs that sum to a constant cannot cancel) with respect to the
whole input batch gives, for every input sample j, ``|d out_i / d x_j|``.
Samples processed independently give exact zeros for j != i; BatchNorm in
training mode legitimately couples samples and is put in eval mode on the copy.

The batch size comes from the caller (the loss target's first dimension in a
training run); the batch dimension of each tensor is the one of that size
(dim 0 first), except for the inputs and outputs of a sequence-first module
(``batch_first=False``: RNNs, Transformers), where it is dim 1. Integer inputs
(token ids) have no gradient: the float outputs of the modules that read them
(embeddings) stand in for them.

When mixing is found, the tensors entering and leaving every module are
checked in call order: the first module whose input is already mixed shows
that the code before it (in its parent's ``forward``: a ``view`` instead of a
``transpose``) mixed the samples; a module with clean input and mixed output
mixes them itself.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn
from torch.utils._pytree import tree_flatten, tree_unflatten

from traindebug import thresholds as T
from traindebug.gradcheck import first_float
from traindebug.isolation import rng_preserved

MAX_ROWS = 8  # samples i whose outputs are differentiated (one backward each)
MAX_EVENTS = 256  # module inputs/outputs examined when localising


class BatchMixingError(Exception):
    """The check could not run (the message says why)."""


@dataclass
class BatchMixingResult:
    """Dependency of each checked sample's output on every input sample."""

    batch_size: int
    rows: list[int]  # the samples i whose outputs were differentiated
    #: matrix[r][j] = |d out_rows[r] / d x_j| / |d out_rows[r] / d x_rows[r]|
    matrix: list[list[float]]
    max_ratio: float  # the largest off-diagonal entry
    offending: list[int]  # input samples j that some other sample's output depends on
    mixed: bool
    sources: list[str] = field(default_factory=list)  # what was differentiated against
    first_module: str | None = None
    #: "input": the samples are already mixed when they enter first_module (code before it);
    #: "output": first_module receives clean samples and mixes them
    side: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready dict (for the metric store)."""
        return asdict(self)


def batch_mixing(
    model: nn.Module,
    inputs: Any,
    *,
    kwargs: dict[str, Any] | None = None,
    batch_size: int | None = None,
    dim: int | None = None,
    seed: int = 0,
) -> BatchMixingResult:
    """Check whether outputs of one sample depend on other samples of the batch.

    ``inputs`` is a tensor or a tuple of positional arguments; ``batch_size``
    defaults to the first tensor argument's first dimension. ``dim`` names the
    batch dimension of the inputs and the output when their sizes cannot tell
    (batch and time of the same length); by default it is the first of size
    ``batch_size``.
    """
    args = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    kwargs = dict(kwargs or {})
    tensors = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
    if batch_size is None:
        if not tensors or tensors[0].dim() == 0:
            raise BatchMixingError("no batched tensor input to take the batch size from")
        batch_size = tensors[0].shape[0]
    if batch_size < 2:
        raise BatchMixingError("a batch of one sample cannot mix")
    try:
        clone = copy.deepcopy(model)
    except Exception as exc:  # noqa: BLE001 - reported in words
        raise BatchMixingError(f"the model cannot be deep-copied ({type(exc).__name__}: {exc})") from exc
    for module in clone.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()  # taxonomy.md: BatchNorm in train mode is excepted
    with rng_preserved(), torch.enable_grad():
        return _check(clone, args, kwargs, batch_size, dim, seed)


def batch_dim(t: torch.Tensor, n: int, sequence_first: bool = False, dim: int | None = None) -> int | None:
    """The batch dimension of ``t``: dim 1 for sequence-first modules, else the first of size n.

    With an explicit ``dim`` (the model's own batch dimension), that one, seen from a
    sequence-first module with dims 0 and 1 swapped; None when its size is not n.
    """
    if dim is not None:
        own = 1 - dim if sequence_first and dim in (0, 1) else dim
        return own if t.dim() > own and t.shape[own] == n else None
    if sequence_first and t.dim() == 3 and t.shape[1] == n:
        return 1
    return next((d for d in range(t.dim()) if t.shape[d] == n), None)


def _sequence_first(module: nn.Module) -> bool:
    return getattr(module, "batch_first", None) is False


class _Tracer:
    """Forward hooks: make embedding outputs leaves, record every module's input and output."""

    def __init__(self, model: nn.Module, n: int, dim: int | None) -> None:
        self.n = n
        self.dim = dim
        self.sources: list[tuple[str, torch.Tensor, int]] = []
        self.events: list[tuple[str, str, torch.Tensor, int]] = []  # (module, side, tensor, batch dim)
        self._handles = []
        for name, module in model.named_modules():
            self._handles.append(module.register_forward_pre_hook(self._before(name, module)))
            self._handles.append(module.register_forward_hook(self._after(name, module)))

    def _before(self, name: str, module: nn.Module) -> Any:
        def hook(mod: nn.Module, args: tuple) -> None:
            self._record(name, "input", args, _sequence_first(module))

        return hook

    def _after(self, name: str, module: nn.Module) -> Any:
        def hook(mod: nn.Module, args: tuple, output: Any) -> Any:
            leaves = [t for t in tree_flatten(args)[0] if isinstance(t, torch.Tensor)]
            is_leaf_module = next(module.children(), None) is None
            reads_ints = bool(leaves) and not any(t.is_floating_point() for t in leaves)
            if is_leaf_module and reads_ints and isinstance(output, torch.Tensor) and output.is_floating_point():
                # a module reading only integer tensors (an embedding): its output stands in for them
                dim = batch_dim(leaves[0], self.n, _sequence_first(module), self.dim)
                if dim is not None and output.dim() > dim and output.shape[dim] == self.n:
                    leaf = output.detach().requires_grad_()
                    self.sources.append((f"output of {name or type(module).__name__}", leaf, dim))
                    self.events.append((name, "output", leaf, dim))
                    return leaf
            self._record(name, "output", output, _sequence_first(module))
            return None

        return hook

    def _record(self, name: str, side: str, value: Any, sequence_first: bool) -> None:
        t = first_float(value)
        if t is not None and t.requires_grad and len(self.events) < MAX_EVENTS:
            dim = batch_dim(t, self.n, sequence_first, self.dim)
            if dim is not None:
                self.events.append((name, side, t, dim))

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


def _check(model: nn.Module, args: tuple, kwargs: dict, n: int, batch: int | None, seed: int) -> BatchMixingResult:
    notes: list[str] = []
    sources: list[tuple[str, torch.Tensor, int]] = []
    leaves, treedef = tree_flatten((args, kwargs))
    for k, t in enumerate(leaves):
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            dim = batch_dim(t, n, dim=batch)
            if dim is not None:
                leaves[k] = t.detach().clone().requires_grad_()
                sources.append((f"input {k} (batch dim {dim})", leaves[k], dim))
    fargs, fkwargs = tree_unflatten(leaves, treedef)
    tracer = _Tracer(model, n, batch)
    torch.default_generator.manual_seed(seed)
    try:
        output = model(*fargs, **fkwargs)
    except Exception as exc:  # noqa: BLE001 - reported in words
        raise BatchMixingError(f"the model's forward failed on a copy of the batch ({type(exc).__name__}: {exc})") from exc
    finally:
        tracer.remove()
    sources += tracer.sources
    out = first_float(output)
    out_dim = batch_dim(out, n, dim=batch) if out is not None else None
    if not sources:
        raise BatchMixingError("no input with a batch dimension reaches the model differentiably")
    if out is None or out_dim is None or not out.requires_grad:
        raise BatchMixingError(f"the model output has no dimension of the batch size {n}")
    generator = torch.Generator().manual_seed(seed)
    weights = torch.randn(out.shape, generator=generator, dtype=out.dtype).to(out.device)
    rows = sorted({round(i * (n - 1) / (MAX_ROWS - 1)) for i in range(MAX_ROWS)}) if n > MAX_ROWS else list(range(n))
    if len(rows) < n:
        notes.append(f"the outputs of {len(rows)} of the {n} samples (evenly spaced) were differentiated")
    tensors = [s[1] for s in sources]
    dims = [s[2] for s in sources]
    matrix = []
    for i in rows:
        picked = (weights.select(out_dim, i) * out.select(out_dim, i)).sum()
        matrix.append(_dependency(picked, tensors, dims, i))
    max_ratio, offending = _off_diagonal(matrix, rows)
    mixed = max_ratio > T.BATCH_MIXING_RATIO
    result = BatchMixingResult(
        batch_size=n,
        rows=rows,
        matrix=[[float(v) for v in row] for row in matrix],
        max_ratio=max_ratio,
        offending=offending,
        mixed=mixed,
        sources=[s[0] for s in sources],
        notes=notes,
    )
    if mixed:
        worst = max(range(len(rows)), key=lambda r: max(v for j, v in enumerate(matrix[r]) if j != rows[r]))
        result.first_module, result.side = _localise(tracer.events, tensors, dims, rows[worst], generator)
    return result


def _dependency(scalar: torch.Tensor, tensors: list[torch.Tensor], dims: list[int], i: int) -> list[float]:
    """|d scalar / d sample j| over all sources, relative to sample i's own."""
    grads = torch.autograd.grad(scalar, tensors, retain_graph=True, allow_unused=True)
    total = None
    for g, dim in zip(grads, dims):
        if g is None:
            continue
        per = g.movedim(dim, 0).reshape(g.shape[dim], -1).double().pow(2).sum(1)
        total = per if total is None else total + per
    if total is None:
        return []
    norms = total.sqrt()
    own = norms[i] if norms[i] > 0 else norms.max()
    return (norms / own).tolist() if own > 0 else [0.0] * len(norms)


def _off_diagonal(matrix: list[list[float]], rows: list[int]) -> tuple[float, list[int]]:
    worst, offending = 0.0, set()
    for i, row in zip(rows, matrix):
        for j, v in enumerate(row):
            if j != i and v > T.BATCH_MIXING_RATIO:
                offending.add(j)
            if j != i:
                worst = max(worst, v)
    return worst, sorted(offending)


def _localise(
    events: list[tuple[str, str, torch.Tensor, int]],
    tensors: list[torch.Tensor],
    dims: list[int],
    i: int,
    generator: torch.Generator,
) -> tuple[str | None, str | None]:
    """The first module (in call order) whose input or output has sample i mixed with others."""
    for name, side, t, dim in events:
        if any(t is s for s in tensors) or not t.requires_grad:
            continue
        weights = torch.randn(t.select(dim, i).shape, generator=generator, dtype=t.dtype).to(t.device)
        row = _dependency((weights * t.select(dim, i)).sum(), tensors, dims, i)
        if any(v > T.BATCH_MIXING_RATIO for j, v in enumerate(row) if j != i):
            return name, side
    return None, None

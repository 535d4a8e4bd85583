"""Per-sample gradients: one engine, three ways to get them, shared by several probes.

The engine (itself the probe ``per_sample``) computes, on the steps where one of
its consumers is due, per observed tensor of the main model:

- ``gram``: the N x N matrix of inner products of the per-sample gradients
  (its diagonal: the squared per-sample gradient norms),
- ``sgs``: the element-wise sum of squared per-sample gradients (when a consumer
  due at the step asks for it: GSNR, TIC),
- the per-sample losses of the user's loss function on the user's batch,

where the per-sample gradient is the gradient of one sample's term of the loss
(the loss function with ``reduction='none'``, unscaled by 1/N). It records which
path produced them (``per_sample_path`` in each due step):

``hooks``  every trainable tensor lives in ``nn.Linear`` or ``nn.Conv2d``: the
           per-sample quantities come from the user's own backward. On due steps
           only, the layer inputs ``a_n`` are kept and a tensor hook reads the
           output gradients ``g_n`` (it returns nothing, so the grads are not
           changed). For a Linear layer on (N, in) inputs nothing per-sample is
           materialised: ``<grad_n W, grad_m W> = (g_n.g_m)(a_n.a_m)``.
``backpack`` every trainable tensor lives in a layer BackPACK's ``BatchGrad``
           supports: one extra forward/backward of the user's batch, isolated.
``func``   anything else (LayerNorm, custom modules, GRU): ``torch.func.vmap`` over
           ``grad`` of ``functional_call``, isolated (nn.GRU / nn.RNN run as their
           step-by-step decompositions there, see ``UnfusedRNNs``).

Directional derivatives of the per-sample losses along a parameter direction
(for the step-size quality alpha) come from the same data: on the ``hooks`` path
per layer ``d l_n / d W . D = <g_n, layer(a_n; D)>`` (the layer is linear in its
weight), otherwise a forward-mode ``torch.func.jvp``.
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

from traindebug.isolation import isolated
from traindebug.plugins import hookimpl
from traindebug.probes.base import (Cost, LossCall, Probe, RunContext, Settings, StepContext, count_bins,
                                    describe_exception)
from traindebug.probes.sampling import random_index
from traindebug.schedule import NEVER, Schedule
from traindebug.store import OnHost

HOOK_LAYERS = (nn.Linear, nn.Conv2d)
#: losses whose 'none' reduction gives per-sample terms, with how those reduce
REDUCTIONS = {"mean": "mean", "sum": "sum", "batchmean": "sum"}
#: per-sample gradient element histogram: Cockpit's GradHist1d defaults (outliers clipped)
HIST_BINS = 100
HIST_RANGE = (-2.0, 2.0)
#: up to this many per-sample gradient elements per tensor the histogram is exact, beyond it
#: estimated from HIST_SAMPLES elements drawn with a private generator (never the global RNG):
#: a bin holding 1 % of the elements is then counted within ~4 % (one standard error).
#: Counting 2**20 elements exactly cost 3.3 ms a step on the MLP's last layer (one CPU thread)
HIST_EXACT_MAX = 2**17
HIST_SAMPLES = 2**16


#: the module types BackPACK 1.7's BatchGrad extension supports (its module_exts table)
BACKPACK_LAYERS = (
    nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
    nn.ConvTranspose3d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.RNN, nn.LSTM, nn.Embedding,
)


def per_sample_losses(call: LossCall, input: torch.Tensor | None = None) -> torch.Tensor | None:
    """The user's loss function evaluated per sample ([N]), or None if it has no per-sample form."""
    reduction = REDUCTIONS.get(call.kwargs.get("reduction", "mean"))
    if reduction is None:
        return None
    kwargs = {**call.kwargs, "reduction": "none"}
    x = call.input.detach() if input is None else input
    losses = call.fn(x, call.target, **kwargs)
    if losses.dim() == 0:
        return None
    flat = losses.reshape(losses.shape[0], -1).float()
    return flat.mean(1) if reduction == "mean" else flat.sum(1)


def sample_scale(call: LossCall, n: int, backward_loss: torch.Tensor | None) -> torch.Tensor:
    """Factor from the user's gradient to per-sample-term gradients (N for a mean, times 1/c
    when the user backpropagated c times the loss function's value)."""
    base = 1.0 if call.kwargs.get("reduction", "mean") == "sum" else float(n)
    value = call.output.float()
    if backward_loss is None or value.numel() != 1:
        return torch.full((), base, device=value.device)  # a fill, not a copy to the device
    ratio = backward_loss.detach().float().reshape(()) / value.reshape(())
    ok = torch.isfinite(ratio) & (ratio.abs() > 0)
    return base / torch.where(ok, ratio, torch.ones_like(ratio))


@dataclass
class TensorStats:
    """Per-sample statistics of one parameter tensor."""

    gram: torch.Tensor | None  # [N, N] inner products of per-sample gradients (if wanted)
    sgs: torch.Tensor | None = None  # element-wise sum of squared per-sample gradients
    mean: torch.Tensor | None = None  # mean per-sample gradient (the batch gradient)
    hist: torch.Tensor | None = None  # histogram of per-sample gradient elements


@dataclass
class PerSample:
    """What the engine produced at one step."""

    step: int
    path: str
    n: int
    index: list[int]  # indices into ctx.params of the tensors covered
    stats: list[TensorStats]
    losses: torch.Tensor  # [N] per-sample losses


def _nan_aware(summary: Callable[[list[float]], float]) -> Callable[[list[float]], float]:
    """``summary`` of host floats, nan if any of them is nan (as torch's reductions)."""
    return lambda values: math.nan if any(v != v for v in values) else summary(values)


#: summaries of the per-sample gradient norms, taken on the host (the median is the lower
#: one of an even count, as torch.median's)
NORM_SUMMARIES: dict[str, Callable[[list[float]], float]] = {
    "per_sample_norm_median": _nan_aware(lambda norms: sorted(norms)[(len(norms) - 1) // 2]),
    "per_sample_norm_max": _nan_aware(max),
    "per_sample_norm_min": _nan_aware(min),
}


# -- the hooks path ---------------------------------------------------------------
@dataclass
class Tap:
    """One layer's input and output gradient, kept from the user's forward/backward."""

    module: nn.Module
    input: torch.Tensor
    grad: list[torch.Tensor] = field(default_factory=list)
    #: the layer's output, kept only where a consumer backpropagates to it again (TIC)
    output: torch.Tensor | None = None


def layer_batch_grad(tap: Tap, scale: torch.Tensor) -> list[torch.Tensor]:
    """Explicit per-sample gradients [N, *param.shape] of the layer's (weight, bias)."""
    m, a, g = tap.module, tap.input.float(), tap.grad[0].float() * scale
    if isinstance(m, nn.Linear):
        a3, g3 = a.reshape(a.shape[0], -1, a.shape[-1]), g.reshape(g.shape[0], -1, g.shape[-1])
        out = [torch.einsum("nto,nti->noi", g3, a3)]
        bias = g3.sum(1)
    else:
        assert isinstance(m, nn.Conv2d)
        cols = F.unfold(a, m.kernel_size, m.dilation, m.padding, m.stride)
        g3 = g.reshape(g.shape[0], g.shape[1], -1)
        out = [torch.einsum("nol,nil->noi", g3, cols).reshape(a.shape[0], *m.weight.shape)]
        bias = g3.sum(2)
    return out + ([bias] if m.bias is not None else [])


def tap_stats(tap: Tap, scale: torch.Tensor, want: "Wants") -> list[TensorStats]:
    """Statistics of a layer's weight (and bias) from its tap, without per-sample
    materialisation for Linear layers on (N, in) inputs."""
    m = tap.module
    if isinstance(m, nn.Linear) and tap.input.dim() == 2:
        a, g = tap.input.float(), tap.grad[0].float() * scale
        gg = g @ g.T if want.gram else None
        weight = TensorStats(
            gram=gg * (a @ a.T) if gg is not None else None,
            sgs=(g * g).T @ (a * a) if want.sgs else None,
            hist=outer_histogram(g, a) if want.hist else None,
        )
        if m.bias is None:
            return [weight]
        return [weight, TensorStats(gram=gg, sgs=(g * g).sum(0) if want.sgs else None,
                                    hist=element_histogram(g) if want.hist else None)]
    if not (want.gram or want.sgs or want.hist):
        return [TensorStats(gram=None)] * (1 + (m.bias is not None))
    return [batch_grad_stats(bg, want) for bg in layer_batch_grad(tap, scale)]


@functools.lru_cache(maxsize=64)
def hist_sample(numel: int, device: torch.device) -> torch.Tensor:
    """HIST_SAMPLES sorted random indices below ``numel``, the same at every step (a private
    generator seeded by ``numel``: the global RNG is not touched; sorted, index_select gathers fast)."""
    return random_index(numel, HIST_SAMPLES, device, seed=numel)


def element_histogram(values: torch.Tensor) -> torch.Tensor:
    """Histogram of the elements (Cockpit's GradHist1d bins; outliers clipped into the end bins);
    beyond HIST_EXACT_MAX elements, an unbiased estimate from HIST_SAMPLES random elements."""
    flat = values.reshape(-1)
    weight = 1.0
    if flat.numel() > HIST_EXACT_MAX:
        flat, weight = flat.index_select(0, hist_sample(flat.numel(), flat.device)), flat.numel() / HIST_SAMPLES
    return clipped_counts(flat) * weight


def clipped_counts(values: torch.Tensor) -> torch.Tensor:
    """Counts of the flat ``values`` in HIST_BINS bins over HIST_RANGE, outliers in the end
    bins (what ``histc`` of the clamped values gives, counted by index: several times faster)."""
    low, high = HIST_RANGE
    index = ((values.float() - low) * (HIST_BINS / (high - low))).floor_().clamp_(0, HIST_BINS - 1)
    return count_bins(index.long(), HIST_BINS)


@functools.lru_cache(maxsize=64)
def outer_sample(n: int, o: int, i: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """For hist_sample's elements of the per-sample outer products [n, o, i]: their
    indices into the flat g [n, o] and the flat a [n, i] (the same at every step)."""
    pick = hist_sample(n * o * i, device)
    rows, cols = pick // i, pick % i
    return rows, rows // o * i + cols


def outer_histogram(g: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """element_histogram of the per-sample outer products g_n a_n^T without building them all."""
    n, o, i = g.shape[0], g.shape[1], a.shape[1]
    if n * o * i <= HIST_EXACT_MAX:
        return element_histogram(g[:, :, None] * a[:, None, :])
    g_index, a_index = outer_sample(n, o, i, g.device)
    samples = g.reshape(-1).index_select(0, g_index) * a.reshape(-1).index_select(0, a_index)
    return clipped_counts(samples) * (n * o * i / HIST_SAMPLES)


def tap_directional(module: nn.Module, a: torch.Tensor, g: torch.Tensor, scale: torch.Tensor,
                    direction: list[torch.Tensor]) -> torch.Tensor:
    """Per-sample directional derivatives [N] along (dW, db) of the loss terms of a layer
    with inputs ``a`` and output gradients ``g`` (its tap's, or some rows of them)."""
    dw = direction[0].to(a.dtype)
    db = direction[1].to(a.dtype) if module.bias is not None else None
    if isinstance(module, nn.Linear):
        out = F.linear(a, dw, db)
    else:
        out = F.conv2d(a, dw, db, module.stride, module.padding, module.dilation, module.groups)
    return (out.float() * g.float()).reshape(g.shape[0], -1).sum(1) * scale


def batch_grad_stats(bg: torch.Tensor, want: "Wants") -> TensorStats:
    """Statistics from explicit per-sample gradients [N, ...]."""
    flat = bg.reshape(bg.shape[0], -1).float()
    return TensorStats(
        gram=flat @ flat.T if want.gram else None,
        sgs=(flat * flat).sum(0).reshape(bg.shape[1:]) if want.sgs else None,
        mean=flat.mean(0).reshape(bg.shape[1:]) if want.sgs else None,
        hist=element_histogram(flat) if want.hist else None,
    )


@dataclass
class Wants:
    """What the consumers due at a step need beyond the Gram matrices."""

    gram: bool = True  # inner products of per-sample gradients (noise tests)
    sgs: bool = False  # element-wise second moment (GSNR)
    hist: bool = False  # histogram of per-sample gradient elements
    outputs: bool = False  # the layers' outputs (to backpropagate through the user's graph again)


# -- the extra-pass paths ----------------------------------------------------------
@contextlib.contextmanager
def backpack_hooks(modules: list[nn.Module], *extensions: Any, extension_hook: Callable | None = None) -> Iterator[None]:
    """BackPACK's extensions active on ``modules`` only, for one forward/backward: its
    hooks are removed, and the attributes it sets on the modules and their parameters
    (inputs, outputs, results) are dropped or restored afterwards, so the user's model
    is left as it was (``backpack.extend`` would hook it for good; a BackPACK or
    Cockpit of the user's own keeps its results). Read results inside the block."""
    from backpack import backpack, hook_run_extensions, hook_store_io

    handles = []
    params = [p for module in modules for p in module.parameters(recurse=False)]
    before = [set(module.__dict__) for module in modules]
    saved = [dict(p.__dict__) for p in params]
    try:
        for module in modules:
            if getattr(module, "_backpack_extend", False):
                continue  # the user's backpack.extend already hooked it
            handles.append(module.register_forward_hook(hook_store_io))
            handles.append(module.register_full_backward_hook(hook_run_extensions))
        with backpack(*extensions, extension_hook=extension_hook):
            yield
    finally:
        for h in handles:
            h.remove()
        for module, attrs in zip(modules, before):
            for attr in set(module.__dict__) - attrs:  # BackPACK's input0, output, ...
                del module.__dict__[attr]
        for p, attrs in zip(params, saved):
            p.__dict__.clear()
            p.__dict__.update(attrs)


def batch_dims(args: tuple, n: int) -> list[int | None]:
    """For each positional argument, the dimension of size N that holds samples."""
    dims: list[int | None] = []
    for a in args:
        if isinstance(a, torch.Tensor) and a.dim() > 0:
            dims.append(0 if a.shape[0] == n else next((i for i, s in enumerate(a.shape) if s == n), None))
        else:
            dims.append(None)
    return dims


def model_output(output: Any, like: torch.Tensor) -> torch.Tensor | None:
    """The tensor of a model output that the loss function received (same shape)."""
    if isinstance(output, torch.Tensor):
        return output if output.shape == like.shape else None
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0] if output[0].shape == like.shape else None
    return None


class UnfusedRNNs(torch.overrides.TorchFunctionMode):
    """Runs nn.RNN / nn.GRU as their step-by-step decompositions (the ones PyTorch's
    expanded weights use), which ``vmap`` can batch: their fused kernels write into
    unbatched hidden-state buffers and fail under vmap. (nn.LSTM runs under vmap as
    it is; its decomposition does not.)"""

    def __torch_function__(self, func: Callable, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        overloads = RNN_DECOMPOSITIONS.get(func)
        if overloads is None:
            return func(*args, **kwargs)
        from torch._decomp import decomposition_table

        packed = isinstance(args[3], (list, tuple))  # (data, batch_sizes, hx, params, ...) form
        return decomposition_table[overloads[1] if packed else overloads[0]](*args, **kwargs)


_aten = torch.ops.aten
#: fused RNN functions and their (input, packed data) overloads with decompositions
RNN_DECOMPOSITIONS = {
    torch.rnn_tanh: (_aten.rnn_tanh.input, _aten.rnn_tanh.data),
    torch.rnn_relu: (_aten.rnn_relu.input, _aten.rnn_relu.data),
    torch.gru: (_aten.gru.input, _aten.gru.data),
}


class Recompute:
    """Re-runs the user's model on the user's batch and the loss per sample."""

    def __init__(self, model: nn.Module, args: tuple, kwargs: dict, call: LossCall) -> None:
        self.model, self.args, self.kwargs, self.call = model, args, kwargs, call
        self.n = call.input.shape[0]

    def losses(self, output: Any) -> torch.Tensor:
        """Per-sample losses [N] of a model output (raises if it does not fit the loss)."""
        out = model_output(output, self.call.input)
        if out is None:
            raise ValueError("the loss input is not the model output")
        losses = per_sample_losses(self.call, out)
        if losses is None:
            raise ValueError("the loss has no per-sample form")
        return losses

    def vmap_grads(self, params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Per-sample gradients {name: [N, *shape]} via vmap(grad(functional_call))."""
        from torch.func import functional_call, grad, vmap

        dims = batch_dims(self.args, self.n)
        buffers = dict(self.model.named_buffers())
        target = self.call.target

        def one(p: dict[str, torch.Tensor], xs: tuple, y: Any) -> torch.Tensor:
            args = tuple(x.unsqueeze(d) if d is not None else x for x, d in zip(xs, dims))
            out = functional_call(self.model, (p, buffers), args, self.kwargs)
            out = out if isinstance(out, torch.Tensor) else out[0]
            yy = y.unsqueeze(0) if isinstance(y, torch.Tensor) else y
            # one sample under the user's reduction is that sample's loss term
            return self.call.fn(out, yy, **self.call.kwargs)

        in_dims = (None, tuple(dims), 0 if isinstance(target, torch.Tensor) else None)
        fn = vmap(grad(one), in_dims=in_dims, randomness="different", chunk_size=64)
        with UnfusedRNNs():
            return fn(params, tuple(self.args), target)

    def directional(self, params: dict[str, torch.Tensor], direction: dict[str, torch.Tensor]) -> torch.Tensor:
        """Per-sample directional derivatives [N] along ``direction`` at ``params`` (forward mode)."""
        from torch.func import functional_call, jvp

        buffers = dict(self.model.named_buffers())

        def losses(p: dict[str, torch.Tensor]) -> torch.Tensor:
            return self.losses(functional_call(self.model, (p, buffers), self.args, self.kwargs))

        with UnfusedRNNs():
            _, tangent = jvp(losses, (params,), (direction,))
        return tangent


class PerSampleEngine(Probe):
    """Per-sample gradient statistics for the probes that consume them."""

    name = "per_sample"
    cost = Cost.EXTRA_BACKWARD
    wants_forward = True

    def __init__(self, forced_path: str | None = None) -> None:
        #: settings.options["per_sample_path"]: use this path where it applies
        self.forced_path = forced_path
        self._own: Schedule = NEVER
        self.consumers: list[Probe] = []
        #: set by the preset: whether per-sample gradient histograms are wanted (with the Gram matrices)
        self.wants = Wants()
        #: a consumer keeps the layer taps until it released them (alpha)
        self.hold = False
        self.path = "none"
        self.reason = ""
        self.current: PerSample | None = None
        self._model: nn.Module | None = None
        self._owners: dict[int, nn.Module] = {}
        self._taps: dict[int, Tap] = {}
        #: the step's taps at the rows alpha samples: (step, samples, {id(module): (input, grad)})
        self._rows: tuple[int, int, dict[int, tuple[torch.Tensor, torch.Tensor]]] | None = None
        self._tap_step = -1
        self._keep_outputs = False
        self._bad_step = -1
        self._scale: torch.Tensor | None = None
        self._loss_call: LossCall | None = None
        self._loss_step = -1

    # the engine runs when its own schedule or any consumer's is due
    @property  # type: ignore[override]
    def schedule(self) -> "_Union":
        return _Union(self)

    @schedule.setter
    def schedule(self, value: Schedule) -> None:
        self._own = value

    def setup(self, run: RunContext) -> None:
        self._choose_path(run)

    @property
    def model(self) -> nn.Module | None:
        """The observed model whose layers the engine taps."""
        return self._model

    def step_taps(self, ctx: StepContext) -> dict[int, Tap]:
        """This step's taps by id(module) on the hooks path (empty if none)."""
        return self._taps if self._tap_step == ctx.step else {}

    def wants_at(self, step: int) -> Wants:
        """What to compute at ``step``: Gram matrices (and more) only when a consumer of them is due."""
        due = [c for c in self.consumers if c.schedule.due(step)]
        gram = self._own.due(step) or any(getattr(c, "wants_gram", False) for c in due)
        sgs = any(getattr(c, "wants_sgs", False) for c in due)
        outputs = any(getattr(c, "wants_outputs", False) for c in due)
        return Wants(gram=gram, sgs=sgs, hist=self.wants.hist and gram, outputs=outputs)

    def on_params_added(self, run: RunContext) -> None:
        self._choose_path(run)

    def _choose_path(self, run: RunContext) -> None:
        if not run.models:
            self.path, self.reason = "none", "no nn.Module model was found"
            return
        model = run.models[0]
        owners: dict[int, nn.Module] = {}
        for module in model.modules():
            for p in module.parameters(recurse=False):
                if p.requires_grad:
                    owners[id(p)] = module
        kinds = {type(m) for m in owners.values()}
        self._model, self._owners = model, owners
        if any(isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training for m in owners.values()):
            self.path, self.reason = "none", "BatchNorm in train mode mixes the samples of a batch"
        else:
            hooks = all(issubclass(k, HOOK_LAYERS) for k in kinds) and all(
                getattr(m, "groups", 1) == 1 for m in owners.values()
            )
            backpack = all(k in BACKPACK_LAYERS for k in kinds)
            usable = [name for name, ok in (("hooks", hooks), ("backpack", backpack), ("func", True)) if ok]
            self.path = self.forced_path if self.forced_path in usable else usable[0]

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        """Keep the step's latest training loss with a per-sample form (not, say, a
        reduction='none' call made for logging)."""
        if call.training and call.output.numel() == 1 and call.kwargs.get("reduction", "mean") in REDUCTIONS:
            self._loss_call, self._loss_step = call, ctx.step

    def loss_call(self, ctx: StepContext) -> LossCall | None:
        """The loss call the per-sample statistics decompose (None if not seen this step)."""
        return self._loss_call if self._loss_step == ctx.step else None

    # -- hooks path: taps on the user's own forward/backward -------------------
    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if self.path != "hooks" or not any(id(p) in self._owners for p in module.parameters(recurse=False)):
            return
        if self._tap_step != ctx.step:
            self._release()
            self._tap_step = ctx.step
            self._keep_outputs = self.wants_at(ctx.step).outputs
        if id(module) in self._taps or not isinstance(output, torch.Tensor) or not output.requires_grad:
            self._bad_step = ctx.step  # called twice in one step (weight sharing, accumulation)
            return
        tap = Tap(module, args[0].detach(), output=output if self._keep_outputs else None)
        self._taps[id(module)] = tap
        output.register_hook(tap.grad.append)

    def after_backward(self, ctx: StepContext) -> None:
        if self.path != "hooks" or ctx.backward_count != 1:
            return
        self.current = None
        why = self._hooks_problem(ctx)
        if why:
            self.reason = why
            self._release()
            return
        call = self.loss_call(ctx)
        assert call is not None
        losses = per_sample_losses(call)
        n = call.input.shape[0]
        self._scale = sample_scale(call, n, ctx.loss)
        want = self.wants_at(ctx.step)
        layers = {key: tap_stats(tap, self._scale, want) for key, tap in self._taps.items()}
        index, stats = [], []
        for i, (_, p) in enumerate(ctx.params):
            module = self._owners.get(id(p))
            if module is None:
                continue
            s = layers[id(module)][0 if p is module.weight else 1]
            if want.sgs and s.mean is None and p.grad is not None:
                s.mean = p.grad.detach().float() * (self._scale / n)
            index.append(i)
            stats.append(s)
        assert losses is not None
        self.current = PerSample(ctx.step, "hooks", n, index, stats, losses)

    def _hooks_problem(self, ctx: StepContext) -> str:
        call = self.loss_call(ctx)
        if call is None:
            return "no torch loss function with a scalar, per-sample decomposable output was seen in this step"
        if not any(id(p) in self._owners for _, p in ctx.params):
            return "the optimized tensors are not the layers' own (torch.func.functional_call)"
        if self._bad_step == ctx.step or self._tap_step != ctx.step:
            return "a layer ran more than once (or not at all) in this step"
        needed = {id(m) for m in self._owners.values()}
        if set(self._taps) != needed or any(len(t.grad) != 1 for t in self._taps.values()):
            return "not every layer received exactly one output gradient"
        n = call.input.shape[0] if call.input.dim() else 0
        if any(t.input.shape[0] != n or t.grad[0].shape[0] != n for t in self._taps.values()):
            return "layer inputs are not batched along dimension 0 like the loss input"
        if REDUCTIONS.get(call.kwargs.get("reduction", "mean")) is None:
            return "the loss reduction has no per-sample form"
        owned = ((p, self._owners.get(id(p))) for _, p in ctx.params)
        if any(m is not None and p is not m.weight and p is not m.bias for p, m in owned):
            return "the optimized tensors are not the layers' own (torch.func.functional_call)"
        return ""

    # -- extra-pass paths --------------------------------------------------------
    def before_step(self, ctx: StepContext) -> None:
        if self.path in ("hooks", "none"):
            return
        self.current = None
        recompute = self.recompute(ctx)
        if recompute is None:
            return
        want = self.wants_at(ctx.step)
        if not (want.gram or want.sgs or want.hist):  # only alpha is due: it needs the losses alone
            losses = per_sample_losses(recompute.call)
            covered = self._covered(ctx)
            if losses is not None:
                self.current = PerSample(ctx.step, self.path, recompute.n, [i for i, _, _ in covered],
                                         [TensorStats(gram=None) for _ in covered], losses)
            return
        if self.path == "backpack":
            try:
                self.current = self._backpack(ctx, recompute)
                return
            except Exception as exc:  # noqa: BLE001 - a model BackPACK does not support falls back
                self.reason = f"BackPACK failed ({describe_exception(exc)}); using torch.func"
                self.path = "func"
        try:
            self.current = self._func(ctx, recompute)
        except Exception as exc:  # noqa: BLE001 - data-dependent shapes, saved-tensor hooks...: give up, in words
            self.path = "none"
            self.reason = f"torch.func could not compute per-sample gradients ({describe_exception(exc)})"

    def recompute(self, ctx: StepContext) -> Recompute | None:
        """What is needed to redo the user's loss on the user's batch (None: not possible)."""
        call = self.loss_call(ctx)
        if ctx.batch is None or call is None or ctx.batch.model is not self._model:
            self.reason = "the batch or the loss function of this step was not seen"
            return None
        if model_output(ctx.batch.output, call.input) is None:
            self.reason = "the loss function's input is not the model's output"
            return None
        replay = call.replay_problem()
        if replay:
            self.reason = replay
            return None
        return Recompute(ctx.batch.model, ctx.batch.args, ctx.batch.kwargs, call)

    def _covered(self, ctx: StepContext) -> list[tuple[int, str, nn.Parameter]]:
        assert self._model is not None
        names = {id(p): n for n, p in self._model.named_parameters()}
        return [(i, names[id(p)], p) for i, (_, p) in enumerate(ctx.params) if id(p) in names and p.requires_grad]

    def _backpack(self, ctx: StepContext, rc: Recompute) -> PerSample:
        from backpack.extensions import BatchGrad

        covered = self._covered(ctx)
        want = self.wants_at(ctx.step)
        found: dict[int, TensorStats] = {}

        def reduce(module: nn.Module) -> None:
            for p in module.parameters(recurse=False):
                bg = p.__dict__.pop("grad_batch", None)
                if bg is not None:
                    found[id(p)] = batch_grad_stats(bg, want)

        assert self._model is not None
        with isolated(self._model), backpack_hooks(list({id(m): m for m in self._owners.values()}.values()),
                                                   BatchGrad(), extension_hook=reduce):
            losses = rc.losses(self._model(*rc.args, **rc.kwargs))
            losses.sum().backward()
        user_losses = per_sample_losses(rc.call)
        assert user_losses is not None
        return PerSample(ctx.step, "backpack", rc.n, [i for i, _, _ in covered],
                         [found[id(p)] for _, _, p in covered], user_losses)

    def _func(self, ctx: StepContext, rc: Recompute) -> PerSample:
        covered = self._covered(ctx)
        params = {name: p.detach() for _, name, p in covered}
        assert self._model is not None
        with isolated(self._model):
            grads = rc.vmap_grads(params)
        stats = [batch_grad_stats(grads[name], self.wants_at(ctx.step)) for _, name, _ in covered]
        losses = per_sample_losses(rc.call)
        assert losses is not None
        return PerSample(ctx.step, "func", rc.n, [i for i, _, _ in covered], stats, losses)

    # -- directional derivatives (alpha) ---------------------------------------------
    def directional(
        self, ctx: StepContext, direction: list[torch.Tensor], at: list[torch.Tensor] | None = None,
        samples: int = 0,
    ) -> torch.Tensor | None:
        """Per-sample directional derivatives [N] of this step's loss terms along
        ``direction`` (one tensor per ``ctx.params``), at the parameters of this
        step's backward (``at``: their values, when they have changed since). On
        the hooks path, ``samples`` > 0 gives those of that many samples drawn at
        random from the batch (a private generator seeded by the step) instead."""
        current = self.current
        if current is None or current.step != ctx.step:
            return None
        if current.path == "hooks":
            if not self._taps or self._scale is None:
                return None
            total = torch.zeros(min(samples, current.n) or current.n, device=current.losses.device)
            position = {id(p): i for i, (_, p) in enumerate(ctx.params)}
            for key, (a, g) in self._tap_rows(ctx.step, current.n, samples).items():
                m = self._taps[key].module
                tensors = [q for q in (m.weight, m.bias) if q is not None]
                if any(id(q) not in position and q.requires_grad for q in tensors):
                    return None  # the optimized tensors are not the layer's own (functional_call)
                parts = [direction[position[id(q)]] if id(q) in position else torch.zeros_like(q) for q in tensors]
                total = total + tap_directional(m, a, g, self._scale, parts)
            return total
        rc = self.recompute(ctx)
        if rc is None:
            return None
        covered = self._covered(ctx)
        values = at or [p.detach() for _, p in ctx.params]
        params = {name: values[i] for i, name, _ in covered}
        tangents = {name: direction[i].to(values[i].dtype) for i, name, _ in covered}
        assert self._model is not None
        with isolated(self._model):
            try:
                return rc.directional(params, tangents)
            except (RuntimeError, NotImplementedError):  # no forward-mode AD for a layer
                grads = rc.vmap_grads(params)
                return sum((grads[k].flatten(1).float() @ tangents[k].flatten().float()) for k in grads)

    def _tap_rows(self, step: int, n: int, samples: int) -> dict[int, tuple[torch.Tensor, torch.Tensor]]:
        """Each tap's (input, output gradient), of ``samples`` rows drawn at random (a private
        generator seeded by the step) when 0 < samples < n; gathered once per step, since
        alpha asks twice (for the end of one measurement and the start of the next)."""
        if not 0 < samples < n:
            return {key: (tap.input, tap.grad[0]) for key, tap in self._taps.items()}
        if self._rows is None or self._rows[:2] != (step, samples):
            device = next(iter(self._taps.values())).input.device
            rows = torch.randperm(n, generator=torch.Generator(device).manual_seed(step), device=device)[:samples]
            self._rows = (step, samples, {key: (tap.input.index_select(0, rows), tap.grad[0].index_select(0, rows))
                                          for key, tap in self._taps.items()})
        return self._rows[2]

    # -- bookkeeping -----------------------------------------------------------------
    def after_step(self, ctx: StepContext) -> None:
        fresh = self.current is not None and self.current.step == ctx.step
        if fresh:
            ctx.record("per_sample_path", self.current.path)  # type: ignore[union-attr]
            ctx.record("per_sample_n", self.current.n)  # type: ignore[union-attr]
        grams = [s.gram for s in self.current.stats] if fresh else []  # type: ignore[union-attr]
        if self.current is not None and grams and all(g is not None for g in grams):
            diagonals = torch.stack([g.diagonal() for g in grams])  # type: ignore[union-attr]  # [tensors, N]
            ctx.record("per_sample_norms_sq", diagonals.mean(1))
            norms = diagonals.sum(0).clamp_min(0).sqrt()
            for key, summary in NORM_SUMMARIES.items():
                ctx.record(key, OnHost(summary, (norms,)))
            hists = [s.hist for s in self.current.stats if s.hist is not None]
            if hists:
                ctx.emit("per_sample_hist", {"range": list(HIST_RANGE), "hist": torch.stack(hists).sum(0),
                                             "per_tensor": torch.stack(hists)})
        elif not fresh and self.reason:
            ctx.record("per_sample_skipped", self.reason)
        if not self.hold:
            self._release()

    def release(self) -> None:
        """A consumer is done with this step's taps."""
        self.hold = False
        self._release()

    def _release(self) -> None:
        self._taps = {}
        self._rows = None


@dataclass(frozen=True)
class _Union:
    """Due when the engine's own schedule or any consumer's schedule is due."""

    engine: PerSampleEngine

    def due(self, step: int) -> bool:
        return self.engine._own.due(step) or any(c.schedule.due(step) for c in self.engine.consumers)


#: default schedules of the per-sample probes: economy every 5th step after the first 10, full every step
ECONOMY = Schedule(first=10, every=5)
FULL = Schedule(every=1)


def preset_schedule(settings: Settings, name: str, economy: Schedule = ECONOMY, full: Schedule = FULL) -> Schedule:
    """A probe's schedule for the preset (NEVER in cheap, unless the user scheduled it)."""
    if name in settings.schedules:
        return settings.schedules[name]
    return {"economy": economy, "full": full}.get(settings.preset, NEVER)


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    from traindebug.probes.alpha import ALPHA_SAMPLES, AlphaProbe
    from traindebug.probes.gradient_noise import GradientNoiseProbe
    from traindebug.probes.tic import MONTE_CARLO, TICProbe

    engine = PerSampleEngine(settings.options.get("per_sample_path"))
    noise = preset_schedule(settings, GradientNoiseProbe.name, ECONOMY, FULL)
    alpha = preset_schedule(settings, AlphaProbe.name, ECONOMY, FULL)
    if noise is not NEVER:
        engine.consumers.append(GradientNoiseProbe(engine, noise, settings))
    if alpha is not NEVER:
        engine.consumers.append(AlphaProbe(engine, alpha, int(settings.options.get("alpha_samples", ALPHA_SAMPLES))))
    # an extra forward/backward of C Hessian columns: full preset only, every 5th step
    tic = preset_schedule(settings, TICProbe.name, NEVER, ECONOMY)
    if tic is not NEVER:
        engine.consumers.append(TICProbe(engine, tic, str(settings.options.get("tic_curvature", MONTE_CARLO))))
    if not engine.consumers and "per_sample" not in settings.schedules:
        return []
    engine.wants = Wants(hist=settings.preset == "full" or bool(settings.options.get("per_sample_hist")))
    return [engine, *engine.consumers]

"""Takeuchi information criterion (Cockpit's ``TICDiag`` and ``TICTrace``).

The TIC (Takeuchi 1976; Thomas et al. 2020, "On the interplay between noise and
curvature") estimates the generalization gap from the ratio of gradient noise to
curvature: tr(H^-1 C) / N. Like Cockpit it approximates H by its diagonal and C
by the uncentered second moment of the per-sample gradients E_n[g_n^2], and
records on due steps:

- ``tic_diag``:  sum_i E_n[g_n,i^2] / (H_ii + eps)   (Cockpit's TICDiag),
- ``tic_trace``: sum_i E_n[g_n,i^2] / (tr H + eps)  (Cockpit's TICTrace),

with eps = 1e-7 (Cockpit's default), H the Hessian of the mean per-sample loss
(the user's loss with reduction 'mean'). The second moment comes from the
per-sample engine (``per_sample.py``: from the user's own backward on the hooks
path). H is the diagonal of the generalized Gauss-Newton matrix. On the hooks path
with nn.Linear layers it comes from the user's own graph: the step's backward is
asked to keep it (``retain_graph``), and the curvature columns go back through it
from the loss input to the layer outputs right after, which frees it (no extra
forward; the user's tensor hooks on that path see these columns too; if the step's taps
turn out unusable, the kept graph lives until the script drops its loss tensor, at
worst next to the next step's graph). Otherwise it
comes from one extra isolated forward/backward. By default (option ``tic_curvature=ggn_mc``) it
backpropagates one Monte Carlo column per sample, sum_k z_k S_k with z ~ N(0, 1)
and S S^T the loss Hessian, an unbiased estimate of the diagonal (Cockpit's
``diag_ggn_mc`` curvature, BackPACK's ``DiagGGNMC``); ``tic_curvature=ggn_exact``
backpropagates all C columns for C model outputs, C times the cost. Measured on
the 784-500-400-10 MLP (60 steps, batch 128, SGD with momentum) against the exact
diagonal: ``tic_trace`` within -18 % / +25 % (median ratio 1.00), ``tic_diag``
biased upward by the noise in small diagonal entries (median ratio 1.18 with ReLU,
1.06 with tanh, at most 1.43). The columns go, for models whose trainable layers
are all nn.Linear, through our own backward of the loss Hessian's square root
(any activations, any loss with a per-sample form); for other nn.Sequential
models through BackPACK's ``DiagGGNMC`` / ``DiagGGNExact``. Being the most
expensive quantity, it runs in the full preset only, every 5th step after the
first 10 (``--schedule tic=every:1`` for every step). Cockpit's default curvature is
the diagonal Hessian (``diag_h``); for piecewise-linear activations (ReLU, max
pooling) it equals the exact GGN diagonal, otherwise the GGN leaves out the second
derivatives of the activations (and is never negative). Cockpit's ``diag_ggn_exact``
option is the same quantity as our ``ggn_exact``.

Supported: models made of nn.Linear layers (any loss with a per-sample form), and
``nn.Sequential`` models (nested allowed) of layers BackPACK's ``DiagGGNExact``
supports with cross-entropy, MSE or BCE-with-logits loss; any other model records
``tic_skipped`` with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from traindebug.isolation import isolated
from traindebug.probes.base import Cost, Probe, StepContext
from traindebug.schedule import Schedule

if TYPE_CHECKING:
    from traindebug.probes.per_sample import LossCall, PerSampleEngine, Recompute, Tap

EPSILON = 1e-7  # Cockpit's TIC default
#: the GGN diagonal: exact (K backward columns) or one Monte Carlo column (Cockpit's
#: ``diag_ggn_exact`` / ``diag_ggn_mc`` curvatures, BackPACK's DiagGGNExact / DiagGGNMC)
EXACT, MONTE_CARLO = "ggn_exact", "ggn_mc"
CURVATURES = (EXACT, MONTE_CARLO)
#: torch loss functions with a BackPACK loss module, by the name the capture gives them
LOSS_MODULES = {
    "cross_entropy": nn.CrossEntropyLoss,
    "mse_loss": nn.MSELoss,
    "binary_cross_entropy_with_logits": nn.BCEWithLogitsLoss,
}
#: loss options BackPACK's loss modules do not take, at the values that mean "not used"
#: (nn.CrossEntropyLoss passes them all to F.cross_entropy)
NEUTRAL_OPTIONS = {"weight": None, "pos_weight": None, "ignore_index": -100, "label_smoothing": 0.0,
                   "size_average": None, "reduce": None}


def tic_values(second_moment: list[torch.Tensor], curvature: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """TICDiag and TICTrace from E_n[g_n^2] and the diagonal curvature, per tensor (float)."""
    ratios = torch._foreach_div(second_moment, torch._foreach_add(curvature, EPSILON))
    return {
        "tic_diag": torch.stack([r.sum() for r in ratios]).sum(),
        "tic_trace": torch.stack([s.sum() for s in second_moment]).sum() / (torch.stack([c.sum() for c in curvature]).sum() + EPSILON),
    }


def sequential_leaves(model: nn.Module) -> list[nn.Module] | None:
    """The layers of a (nested) nn.Sequential in order, or None for any other model
    (BackPACK's curvature backpropagation needs the model to be a chain of modules)."""
    if not isinstance(model, nn.Sequential):
        return None
    leaves: list[nn.Module] = []
    for child in model.children():
        if isinstance(child, nn.Sequential):
            inner = sequential_leaves(child)
            if inner is None:
                return None
            leaves += inner
        elif next(child.children(), None) is not None:
            return None
        else:
            leaves.append(child)
    return leaves


def cross_entropy_hessian_sqrt(logits: torch.Tensor, target: torch.Tensor, ignore_index: int) -> torch.Tensor:
    """Columns S [C, N, C] with S_n S_n^T = w_n (diag(p_n) - p_n p_n^T), the Hessian of
    sample n's cross-entropy with respect to (N, C) logits, label smoothing included:
    S_n = sqrt(w_n) (diag(sqrt p_n) - p_n sqrt(p_n)^T) (as BackPACK's cross-entropy
    module), w_n the target's total probability (0 for an ignored class index)."""
    p = logits.detach().float().softmax(1)
    root = p.sqrt()
    weight = target.float().sum(1) if target.is_floating_point() else (target != ignore_index).float()
    s = (torch.diag_embed(root) - p[:, :, None] * root[:, None, :]) * weight.sqrt()[:, None, None]  # [N, row, column]
    return s.permute(2, 0, 1).to(logits.dtype)


def loss_hessian_sqrt(call: "LossCall", output: torch.Tensor) -> torch.Tensor:
    """Columns S [K, N, *out] with S_n S_n^T the Hessian of sample n's loss term with
    respect to the model output: in closed form for cross-entropy on (N, C) logits
    without class weights, else by eigendecomposition (negative curvature dropped:
    exact for the convex losses, cross-entropy, MSE, BCE)."""
    from torch.func import hessian, vmap

    from traindebug.probes.per_sample import LossCall, per_sample_losses

    if (call.name == "cross_entropy" and output.dim() == 2 and call.kwargs.get("weight") is None
            and isinstance(call.target, torch.Tensor) and call.target.dim() == (2 if call.target.is_floating_point() else 1)):
        return cross_entropy_hessian_sqrt(output, call.target, call.kwargs.get("ignore_index", -100))
    target = call.target if isinstance(call.target, torch.Tensor) else None

    def term(z: torch.Tensor, t: torch.Tensor | None) -> torch.Tensor:
        one = LossCall(call.name, call.fn, z[None], call.target if t is None else t[None], call.kwargs,
                       call.output, call.training)
        losses = per_sample_losses(one, z[None])
        assert losses is not None
        return losses[0]

    flat_out = output.detach().reshape(output.shape[0], -1)
    size = flat_out.shape[1]
    hess = vmap(hessian(lambda z, t: term(z.reshape(output.shape[1:]), t)),
                in_dims=(0, 0 if target is not None else None))(flat_out, target)
    values, vectors = torch.linalg.eigh(hess.reshape(-1, size, size).double())
    roots = (vectors * values.clamp_min(0).sqrt()[:, None, :]).to(output.dtype)  # [N, size, K]
    return roots.permute(2, 0, 1).reshape(size, *output.shape)


def monte_carlo_column(roots: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One column [1, N, *out] per sample, sum_k z_nk S_nk with z ~ N(0, 1): its outer
    product is an unbiased estimate of the loss Hessian S_n S_n^T."""
    z = torch.randn(roots.shape[:2], generator=generator, device=roots.device, dtype=roots.dtype)
    return (z.reshape(*z.shape, *[1] * (roots.dim() - 2)) * roots).sum(0, keepdim=True)


def backpropagated_squares(output: torch.Tensor, targets: list[torch.Tensor], roots: torch.Tensor) -> list[torch.Tensor]:
    """sum_k (J_k^T root_k)^2 for each target [N, out], J_k the Jacobian of ``output`` with
    respect to it: one backward per column (no [K, N, out] batch in memory, and on CPU
    ~10 % faster than vmap), no weight gradients; the last one frees the graph."""
    squares = [torch.zeros(t.shape, device=t.device) for t in targets]
    for k, root in enumerate(roots):
        for total, g in zip(squares, torch.autograd.grad(output, targets, root, retain_graph=k < len(roots) - 1)):
            total.add_(g.float().square())
    return squares


def linear_diagonals(layers: list[nn.Linear], inputs: list[torch.Tensor], squares: list[torch.Tensor],
                     n: int) -> dict[int, torch.Tensor]:
    """{id(param): GGN diagonal} of Linear layers on (N, features) ``inputs`` from the
    squared backpropagated columns at their outputs: diag_W = (s^2)^T (a^2) / N."""
    found: dict[int, torch.Tensor] = {}
    for layer, a, s2 in zip(layers, inputs, squares):
        found[id(layer.weight)] = s2.T @ a.float().square() / n
        if layer.bias is not None:
            found[id(layer.bias)] = s2.sum(0) / n
    return found


def columns(call: "LossCall", output: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """The loss Hessian's square-root columns at ``output``, or one Monte Carlo column."""
    roots = loss_hessian_sqrt(call, output)
    return monte_carlo_column(roots, generator) if generator is not None else roots


def linear_diag_ggn(model: nn.Module, rc: "Recompute", layers: list[nn.Linear],
                    generator: torch.Generator | None = None) -> dict[int, torch.Tensor]:
    """GGN diagonal of the mean per-sample loss, {id(param): diagonal}, for a model whose
    trainable layers are all nn.Linear on (N, features) inputs: one isolated forward, and
    the K columns of the loss Hessian's square root backpropagated to the layer outputs
    (nothing per-sample materialised). With a ``generator``, one Monte Carlo column
    instead of K (an unbiased estimate, one backward)."""
    from traindebug.probes.per_sample import model_output

    inputs: dict[int, torch.Tensor] = {}
    outputs: dict[int, torch.Tensor] = {}

    def keep(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        if id(module) in inputs or args[0].dim() != 2:
            raise ValueError("a Linear layer ran twice or on inputs that are not (N, features)")
        inputs[id(module)], outputs[id(module)] = args[0].detach(), out

    handles = [layer.register_forward_hook(keep) for layer in layers]
    with isolated(model):
        try:
            output = model_output(model(*rc.args, **rc.kwargs), rc.call.input)
        finally:
            for h in handles:
                h.remove()
        if output is None:
            raise ValueError("the loss input is not the model output")
        squares = backpropagated_squares(output, [outputs[id(m)] for m in layers], columns(rc.call, output, generator))
    return linear_diagonals(layers, [inputs[id(m)] for m in layers], squares, rc.n)


def tapped_diag_ggn(call: "LossCall", taps: "list[Tap]", layers: list[nn.Linear],
                    generator: torch.Generator | None = None) -> dict[int, torch.Tensor]:
    """linear_diag_ggn from the user's own forward: the columns go back through the
    user's graph (kept by the backward for this) from the loss input to the layer
    outputs the taps hold, and free it. No extra forward."""
    output = call.input
    assert all(t.output is not None for t in taps)
    try:
        squares = backpropagated_squares(output, [t.output for t in taps], columns(call, output, generator))  # type: ignore[misc]
    finally:
        for tap in taps:
            del tap.grad[1:]  # the taps' hooks saw these columns too
    return linear_diagonals(layers, [t.input for t in taps], squares, output.shape[0])


def linear_layers(model: nn.Module) -> list[nn.Linear] | None:
    """The layers owning trainable parameters, if all are nn.Linear (else None)."""
    owners = [m for m in model.modules() if any(p.requires_grad for p in m.parameters(recurse=False))]
    return owners if owners and all(isinstance(m, nn.Linear) for m in owners) else None  # type: ignore[return-value]


def unsupported(model: nn.Module, rc: "Recompute") -> str:
    """Why the GGN diagonal cannot be had for this model and loss ('' if it can)."""
    if linear_layers(model) is not None:
        return "" if rc.n > 0 else "empty batch"
    if sequential_leaves(model) is None:
        return "the model is neither an nn.Sequential (BackPACK needs a chain of modules) nor made of nn.Linear layers only"
    if rc.call.name not in LOSS_MODULES:
        return f"no BackPACK curvature for the loss {rc.call.name}"
    used = sorted(k for k, v in rc.call.kwargs.items() if k != "reduction" and
                  (k not in NEUTRAL_OPTIONS or not _same(v, NEUTRAL_OPTIONS[k])))
    if used:
        return f"the loss options {used} are not supported by BackPACK"
    if rc.call.kwargs.get("reduction", "mean") not in ("mean", "sum"):
        return "the loss reduction is neither 'mean' nor 'sum'"
    ignored = rc.call.kwargs.get("ignore_index", -100)
    if isinstance(rc.call.target, torch.Tensor) and not rc.call.target.is_floating_point() and \
            bool((rc.call.target == ignored).any()):
        return "the targets contain ignore_index, which BackPACK's cross-entropy does not skip"
    return ""


def _same(value: object, neutral: object) -> bool:
    return value is None if neutral is None else (not isinstance(value, torch.Tensor) and value == neutral)


def diag_ggn(model: nn.Module, rc: "Recompute", params: list[nn.Parameter], monte_carlo: bool = False) -> list[torch.Tensor]:
    """Diagonal of the GGN of the mean per-sample loss for ``params`` (one extra
    forward/backward with BackPACK's DiagGGNExact, or DiagGGNMC with one sample;
    grads, RNG and modes restored)."""
    from backpack.extensions import DiagGGNExact, DiagGGNMC

    from traindebug.probes.per_sample import backpack_hooks, model_output

    leaves = sequential_leaves(model)
    assert leaves is not None
    reduction = rc.call.kwargs.get("reduction", "mean")
    loss_fn = LOSS_MODULES[rc.call.name](reduction=reduction)
    extension, attribute = (DiagGGNMC(mc_samples=1), "diag_ggn_mc") if monte_carlo else (DiagGGNExact(), "diag_ggn_exact")
    with isolated(model), backpack_hooks([*leaves, loss_fn], extension):
        output = model_output(model(*rc.args, **rc.kwargs), rc.call.input)
        if output is None:
            raise ValueError("the loss input is not the model output")
        loss_fn(output, rc.call.target).backward()
        diagonal = [getattr(p, attribute).detach() for p in params]
    return [d / rc.n for d in diagonal] if reduction == "sum" else diagonal


class TICProbe(Probe):
    """TICDiag and TICTrace on schedule."""

    name = "tic"
    cost = Cost.EXTRA_BACKWARD
    wants_gram = False
    #: the engine computes the element-wise second moment of per-sample gradients when due
    wants_sgs = True

    def __init__(self, engine: "PerSampleEngine", schedule: Schedule, curvature: str = MONTE_CARLO) -> None:
        if curvature not in CURVATURES:
            raise ValueError(f"tic_curvature must be one of {CURVATURES}, not {curvature!r}")
        self.engine = engine
        self.schedule = schedule
        self.monte_carlo = curvature == MONTE_CARLO
        self._kept = -1  # the step whose backward keeps its graph for us
        self._tapped: tuple[int, dict[int, torch.Tensor]] | None = None  # (step, GGN diagonal)

    def _tapped_layers(self) -> list[nn.Linear] | None:
        """The model's layers when the curvature can come from the user's own graph:
        the engine's hooks path, every trainable layer an nn.Linear."""
        model = self.engine.model
        return linear_layers(model) if self.engine.path == "hooks" and model is not None else None

    @property
    def wants_outputs(self) -> bool:
        """Whether the engine's taps should keep the layer outputs (see before_backward)."""
        return self._tapped_layers() is not None

    def _generator(self, ctx: StepContext) -> torch.Generator | None:
        return torch.Generator(ctx.run.device).manual_seed(ctx.step) if self.monte_carlo else None

    def before_backward(self, ctx: StepContext) -> None:
        """On the hooks path, ask the step's (first) backward to keep its graph: the
        columns then go back through it in after_backward, with no extra forward."""
        taps, call = self.engine.step_taps(ctx), self.engine.loss_call(ctx)
        if (ctx.backward_count == 0 and call is not None and not call.replay_problem() and taps
                and all(t.output is not None and t.input.dim() == 2 for t in taps.values())):
            ctx.keep_graph, self._kept = True, ctx.step

    def after_backward(self, ctx: StepContext) -> None:
        if self._kept != ctx.step:
            return
        self._kept = -1
        layers, taps, call = self._tapped_layers(), self.engine.step_taps(ctx), self.engine.loss_call(ctx)
        if layers is None or call is None or not all(id(m) in taps for m in layers):
            return
        try:
            self._tapped = (ctx.step, tapped_diag_ggn(call, [taps[id(m)] for m in layers], layers, self._generator(ctx)))
        except RuntimeError:  # the loss input does not depend on every layer: before_step recomputes
            self._tapped = None

    def before_step(self, ctx: StepContext) -> None:
        tapped = self._tapped
        current = self.engine.current
        if current is None or current.step != ctx.step or any(s.sgs is None for s in current.stats):
            return
        params = [ctx.params[i][1] for i in current.index]
        if tapped is not None and tapped[0] == ctx.step and all(id(p) in tapped[1] for p in params):
            curvature = [tapped[1][id(p)] for p in params]
        else:
            recomputed = self._recomputed(ctx, params)
            if recomputed is None:
                return
            curvature = recomputed
        second = torch._foreach_div([s.sgs.float() for s in current.stats], current.n)  # type: ignore[union-attr]
        for key, value in tic_values(second, [c.float() for c in curvature]).items():
            ctx.record(key, value)

    def after_step(self, ctx: StepContext) -> None:
        self._tapped = None  # (before_step may run twice in a step: the first before an optimizer is seen)

    def _recomputed(self, ctx: StepContext, params: list[nn.Parameter]) -> list[torch.Tensor] | None:
        """The GGN diagonal from an extra isolated forward/backward (None: skipped, and why recorded)."""
        rc = self.engine.recompute(ctx)
        if rc is None:
            ctx.record("tic_skipped", self.engine.reason)
            return None
        why = unsupported(rc.model, rc)
        if why:
            ctx.record("tic_skipped", why)
            return None
        layers = linear_layers(rc.model)
        try:
            if layers is not None:
                found = linear_diag_ggn(rc.model, rc, layers, self._generator(ctx))
                return [found[id(p)] for p in params]
            return diag_ggn(rc.model, rc, params, self.monte_carlo)
        except Exception as exc:  # noqa: BLE001 - a layer BackPACK does not support: say so, per step
            ctx.record("tic_skipped", f"no GGN diagonal ({type(exc).__name__}: {exc})")
            return None

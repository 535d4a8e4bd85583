"""Dead ReLU units, saturated tanh/sigmoid units and units that are copies of each other,
found in the autograd graph.

On due steps (steps 0, 1 and 10, then every 25 steps: a run of few optimizer steps, such as
L-BFGS's, still gets two checks after the first), just before the step's first
backward, it walks the autograd graph of the loss function's input (else of the
model's output, else of the loss being backpropagated) and reads the output that every
ReLU, tanh and sigmoid node saved for its backward (the input, for rectifiers
written as a threshold, a clamp or ReLU6). That sees activations however they are
written (``nn.ReLU``, ``F.relu``, ``torch.tanh``, plain-tensor models without any
module) at no extra forward cost. When the step calls the loss function or the model
several times (a physics-informed loss on collocation and boundary points, a GAN's real
and fake batches), it reads the largest of those inputs or outputs that the loss being
backpropagated depends on: the most samples, the best estimate of a unit's health.

Only *hidden* activations count: those whose output passes through at least one
weighted operation (matmul, linear, convolution) on its way to the loss. A
sigmoid that produces the model's output, or a ReLU applied to the raw input,
is not a hidden unit.

Emits a ``unit_health`` record with one row per activation, in forward order:

- ``name``: the activation module's name, else ``<producing module> -> relu``,
  else ``relu #k``;
- ``op``: ``relu`` | ``tanh`` | ``sigmoid``; ``shape``: the output's shape;
- ``dead`` (ReLU): fraction of units that are exactly zero for every sample of
  the batch (units: channels of image-like outputs, else the last dimension);
- ``saturated`` (tanh/sigmoid): fraction of outputs within 1e-3 of the bounds
  (taxonomy.md);
- ``unit_spread``: the standard deviation across units (mean over samples) relative to the mean
  |output|: 0 for units that are copies of each other (a constant-initialized layer, also one
  whose weights are generated, as a hypernetwork's); -1 where it says nothing (one unit, an
  all-zero output, or an output that does not vary across samples: identical because nothing
  reaches them);
- ``grad_rms`` (step 0): the RMS of the gradient that reached the activation's output in
  the user's backward (a hook on its autograd node), so that the gradient's growth along a
  chain of activations (through depth, or through time in a recurrence written by hand) can
  be read.

Recurrent modules (``nn.RNN``/``LSTM``/``GRU``) hide their activations in one fused
operation; their first layer's are recomputed (``probes/recurrent_cells.py``) and
reported as ``<module> (cell candidate)`` and the like.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.autograd_graph import graph_node_ids, largest_behind
from traindebug.probes.base import Cost, LossCall, Probe, Settings, StepContext
from traindebug.probes.recurrent_cells import first_layer_activations
from traindebug.probes.weight_symmetry import relative_spread
from traindebug.schedule import Schedule

SATURATION_MARGIN = 1e-3  # taxonomy.md: outputs within 1e-3 of the bounds
#: an output varies across samples when its std over them is above this fraction of its mean |x|
VARIES = 1e-3
#: autograd node name -> activation
ACTIVATIONS = {"ReluBackward0": "relu", "ReluBackward1": "relu", "TanhBackward0": "tanh", "SigmoidBackward0": "sigmoid"}
#: rectifiers written another way, which save their input: a unit that never gets above the
#: threshold passes no gradient, as a dead ReLU (F.threshold / nn.Threshold, clamp(min=...),
#: F.relu6 / nn.ReLU6: a hardtanh from 0)
RECTIFIERS = ("ThresholdBackward0", "ClampMinBackward0", "ClampBackward1", "HardtanhBackward0")
#: output bounds of the saturating activations
BOUNDS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
#: operations with weights: an activation upstream of one of these is hidden
WEIGHTED = ("Addmm", "Mm", "Bmm", "Mv", "Addmv", "Linear", "Convolution", "Baddbmm", "Einsum")
#: producers whose output keeps the channel on dim 1 (image-like or conv1d)
CHANNEL_FIRST = ("Convolution", "BatchNorm", "MaxPool", "AvgPool", "GroupNorm")


def is_weighted(node: Any) -> bool:
    """Whether an autograd node is an operation with weights (matmul, linear, convolution)."""
    name = node.name()
    return any(name.startswith(w) for w in WEIGHTED)


def activation_of(node: Any) -> str | None:
    """``relu`` | ``tanh`` | ``sigmoid`` for an activation's autograd node, else None. A clamp or
    threshold counts only when a layer (a weighted op or a normalization) produced its input:
    clamps also keep probabilities, variances and raw data away from a bound."""
    name = node.name()
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    producer = node.next_functions[0][0] if node.next_functions else None
    if name not in RECTIFIERS or producer is None or not (is_weighted(producer) or "Norm" in producer.name()):
        return None
    if name == "ClampBackward1":
        return "relu" if node._saved_max is None and node._saved_min is not None else None
    if name == "HardtanhBackward0":
        return "relu" if node._saved_min_val == 0 else None
    return "relu"


def passes_gradient(node: Any, x: torch.Tensor) -> torch.Tensor:
    """Where one of the RECTIFIERS, given its saved input ``x``, passes a gradient."""
    name = node.name()
    if name == "ThresholdBackward0":
        return x > node._saved_threshold
    if name == "HardtanhBackward0":
        return (x > node._saved_min_val) & (x < node._saved_max_val)
    return x > node._saved_min


def hidden_activations(root: torch.Tensor) -> list[Any]:
    """ReLU/tanh/sigmoid autograd nodes upstream of a weighted op, in forward order."""
    found: dict[int, Any] = {}
    seen: set[tuple[int, bool]] = set()
    stack: list[tuple[Any, bool]] = [(root.grad_fn, False)]
    while stack:
        node, below_weight = stack.pop()
        if node is None or (id(node), below_weight) in seen:
            continue
        seen.add((id(node), below_weight))
        if below_weight and activation_of(node) is not None:
            found[id(node)] = node
        below = below_weight or is_weighted(node)
        stack.extend((child, below) for child, _ in node.next_functions)
    return sorted(found.values(), key=lambda n: n._sequence_nr())


def unit_axis(output: torch.Tensor, producer: Any) -> int:
    """The dimension that indexes units: channels for image-like outputs, else the last."""
    if output.dim() >= 4:
        return 1
    if output.dim() == 3 and producer is not None and any(k in producer.name() for k in CHANNEL_FIRST):
        return 1
    return output.dim() - 1


def unit_spread(output: torch.Tensor, axis: int) -> torch.Tensor:
    """Std across units (mean over samples and positions) / mean |output|; -1 for a single unit,
    an all-zero output, or one that does not vary across samples."""
    x = output.detach().movedim(axis, -1)
    x = x.reshape(-1, x.shape[-1]).float()
    if x.shape[0] < 2 or x.shape[1] < 2:
        return torch.full((), -1.0, device=x.device)
    informative = x.std(dim=0).mean() > VARIES * x.abs().mean()
    spread = relative_spread(x.T)  # units as rows, as weight_symmetry reads a weight matrix
    return torch.where(informative, spread, torch.full_like(spread, -1.0))


def dead_fraction(passing: torch.Tensor, axis: int) -> torch.Tensor:
    """Fraction of units (along ``axis``) that pass no gradient (a ReLU: output zero) for every
    sample and position."""
    x = passing.movedim(axis, -1)
    active = x.reshape(-1, x.shape[-1]).any(dim=0)
    return 1.0 - active.float().mean()


def saturated_fraction(output: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Fraction of outputs within SATURATION_MARGIN of the bounds."""
    x = output.detach()
    return ((x <= low + SATURATION_MARGIN) | (x >= high - SATURATION_MARGIN)).float().mean()


class UnitHealthProbe(Probe):
    """Dead and saturated hidden units, from the outputs saved in the autograd graph."""

    name = "unit_health"
    cost = Cost.CHEAP
    schedule = Schedule(first=1, every=25, per_decade=1)
    wants_forward = True  # only to name activations after the modules that produced them

    def __init__(self) -> None:
        self._module_of: dict[int, str] = {}
        #: recurrent modules of this step's forward: name -> (module, input)
        self._recurrent: dict[str, tuple[nn.RNNBase, torch.Tensor]] = {}
        #: inputs of this step's training loss calls and outputs of its model forwards, in
        #: call order. Kept here because without modules the session only starts the new
        #: step at its backward, after those loss calls.
        self._loss_inputs: list[torch.Tensor] = []
        self._outputs: list[torch.Tensor] = []
        #: this step's rows, emitted after the backward (at step 0 with the gradients' RMS)
        self._rows: list[dict[str, Any]] = []
        self._hooks: list[Any] = []

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        grad_fn = getattr(output, "grad_fn", None)
        if grad_fn is not None:
            self._module_of.setdefault(id(grad_fn), ctx.run.module_name(module))
            if ctx.batch is not None and ctx.batch.model is module:
                self._outputs.append(output)
        x = args[0] if args else None
        if isinstance(module, nn.RNNBase) and isinstance(x, torch.Tensor) and x.is_floating_point() and x.dim() == 3:
            self._recurrent.setdefault(ctx.run.module_name(module), (module, x.detach()))

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        # without modules ctx.step may still be the previous step's here
        due = self.schedule.due(ctx.step) or self.schedule.due(ctx.step + 1)
        if due and call.training and call.input.grad_fn is not None:
            self._loss_inputs.append(call.input)

    def before_backward(self, ctx: StepContext) -> None:
        loss_inputs, outputs = self._loss_inputs, self._outputs
        self._loss_inputs, self._outputs = [], []
        if ctx.backward_count or ctx.backward_root is None or ctx.backward_root.grad_fn is None:
            return
        # the loss function's input, else the model's output, else the loss itself (a loss
        # written by hand on a model that returns several tensors)
        behind = graph_node_ids(ctx.backward_root)
        root = largest_behind(loss_inputs, behind)
        root = largest_behind(outputs, behind) if root is None else root
        root = ctx.backward_root if root is None else root
        rows = []
        counts: dict[str, int] = {}
        for node in hidden_activations(root):
            row = self._measure(node, counts)
            if row is not None:
                rows.append(row)
                if ctx.step == 0:  # the gradient that reaches each activation, in the user's backward
                    self._hooks.append(node.register_hook(functools.partial(_store_grad_rms, row)))
        for name, (module, x) in self._recurrent.items():
            for label, op, values in first_layer_activations(module, x):
                rows.append(self._row(f"{name} ({label})", op, values, None))
        self._rows = rows

    def after_backward(self, ctx: StepContext) -> None:
        self._loss_inputs, self._outputs = [], []
        for handle in self._hooks:
            handle.remove()
        self._hooks = []
        if self._rows:
            ctx.emit("unit_health", {"layers": self._rows})
        self._rows = []

    def after_step(self, ctx: StepContext) -> None:
        self._module_of = {}
        self._recurrent = {}

    def _measure(self, node: Any, counts: dict[str, int]) -> dict[str, Any] | None:
        op = activation_of(node)
        saves_input = node.name() in RECTIFIERS
        try:
            output = node._saved_self if saves_input else node._saved_result
        except RuntimeError:  # freed, or modified in place after the forward
            return None
        if not isinstance(output, torch.Tensor) or output.dim() < 2 or not output.is_floating_point():
            return None
        counts[op] = counts.get(op, 0) + 1
        producer = node.next_functions[0][0] if node.next_functions else None
        if id(node) in self._module_of:
            name = self._module_of[id(node)]
        elif producer is not None and id(producer) in self._module_of:
            name = f"{self._module_of[id(producer)]} -> {op}"
        else:
            name = f"{op} #{counts[op]}"
        return self._row(name, op, output, producer, passes_gradient(node, output.detach()) if saves_input else None)

    @staticmethod
    def _row(name: str, op: str, output: torch.Tensor, producer: Any,
             passing: torch.Tensor | None = None) -> dict[str, Any]:
        """One ``unit_health`` row: dead fraction (ReLU; ``passing``: where a rectifier that saved
        its input instead of its output passes a gradient) or saturated fraction (tanh/sigmoid)."""
        row: dict[str, Any] = {"name": name, "op": op, "shape": list(output.shape)}
        row["unit_spread"] = unit_spread(output, unit_axis(output, producer))
        if op == "relu":
            row["dead"] = dead_fraction(output.detach() != 0 if passing is None else passing, unit_axis(output, producer))
        else:
            row["saturated"] = saturated_fraction(output, *BOUNDS[op])
        return row


def _store_grad_rms(row: dict[str, Any], grad_inputs: Any, grad_outputs: tuple) -> None:
    """Autograd node hook: the RMS of the gradient of the activation's output, into its row."""
    grad = grad_outputs[0] if grad_outputs else None
    if isinstance(grad, torch.Tensor):
        row["grad_rms"] = grad.detach().float().pow(2).mean().sqrt()


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [UnitHealthProbe()]

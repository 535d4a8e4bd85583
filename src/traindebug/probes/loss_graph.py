"""The autograd graph of the loss: silent broadcasts in a hand-written loss, and a model
whose layers compose to one linear map.

``probes/loss_inputs.py`` sees the shapes that torch's loss functions get. A loss
written by hand (``(pred - target).abs().mean()``) has no such call; its shapes
are in the autograd graph. Before the first backward this probe walks the graph
of the loss and looks for elementwise operations (``-``, ``+``, ``*``, ``/``)
between a tensor computed from the model with shape ``(N, 1)`` and a tensor
without gradient (the target), whose result has shape ``(N, N)``: a ``(N, 1)``
output against a ``(N,)`` target, which compares every prediction with every
target. It emits one ``loss_graph`` record with the operations found (``broadcasts``:
``op``, ``input_shape``, ``output_shape``; empty when none), and ``linear_layers``: walking
back from the loss function's input (else the model's output), the number of weighted operations
(matmul, linear, convolution) when every operation on the way is affine (additions, scaling
by constants, reshapes, dropout masks, sums and means, average pooling), else 0. Two or
more means stacked layers without a nonlinearity between them: one linear map.

``softmax_twice`` lists softmax or log_softmax operations applied straight to the output
of a softmax (a model that ends in ``nn.Softmax`` under a loss written by hand that takes
``log_softmax`` again): probabilities normalised a second time.

A hand-written regression loss also hides its targets: ``((pred - y) ** 2).mean()``
saves only the residual ``pred - y`` in its graph. When the loss squares (or takes the
absolute value of) a difference between a model tensor and a tensor without gradient, the
record's ``residual`` gives that residual's RMS and std, the target's mean, and the RMS of the model's
output (``output_rms``): at step 0, a residual far larger than the prediction is the target's
own scale (``rules/input_scale.py``).
"""

from __future__ import annotations

from typing import Any

import torch

from traindebug.gradcheck import first_float
from traindebug.plugins import hookimpl
from traindebug.probes.autograd_graph import graph_nodes, graph_root
from traindebug.probes.base import Cost, LossCall, Probe, Settings, StepContext
from traindebug.schedule import STEP_ZERO

#: elementwise binary autograd nodes (Rsub: ``target - pred``)
ELEMENTWISE = {"SubBackward0", "AddBackward0", "MulBackward0", "DivBackward0", "RsubBackward0"}


#: weighted autograd nodes: each is one linear layer
WEIGHTED = {"AddmmBackward0", "MmBackward0", "BmmBackward0", "ConvolutionBackward0", "LinearBackward0"}
#: nodes that keep a function affine in the model input (Mul/Div only with a constant operand)
AFFINE = WEIGHTED | {
    "AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1", "RsubBackward1", "NegBackward0",
    "MulBackward1", "DivBackward1", "ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0",
    "TBackward0", "TransposeBackward0", "PermuteBackward0", "SqueezeBackward0", "SqueezeBackward1",
    "UnsqueezeBackward0", "ExpandBackward0", "CloneBackward0", "ToCopyBackward0", "SliceBackward0",
    "SelectBackward0", "CatBackward0", "StackBackward0", "AliasBackward0", "SumBackward0", "SumBackward1",
    "MeanBackward0", "MeanBackward1", "AvgPool1DBackward0", "AvgPool2DBackward0", "AdaptiveAvgPool2DBackward0",
    "NativeDropoutBackward0", "EmbeddingBackward0", "torch::autograd::AccumulateGrad",
    # selections of elements (the ordered pairs s_i - s_j of a ranking loss, a masked loss)
    "IndexBackward0", "MaskedSelectBackward0", "IndexSelectBackward0", "GatherBackward0",
}
SCALED = {"MulBackward0", "DivBackward0"}
#: a difference between a model tensor and a constant (``pred - y``, ``y - pred``)
DIFFERENCE = {"SubBackward0", "RsubBackward0"}


def linear_layers(node: Any) -> int:
    """Weighted operations behind ``node`` when all operations there are affine, else 0."""
    count = 0
    for node in graph_nodes(node):
        name, children = node.name(), node.next_functions
        if name in SCALED and sum(c is not None for c, _ in children) > 1:
            return 0  # a product of two model tensors (gating, attention): not linear
        if name not in AFFINE and name not in SCALED:
            return 0
        count += name in WEIGHTED
    return count


def _shape(node: Any, index: int) -> list[int] | None:
    """Shape of output ``index`` of an autograd node (None where torch does not say)."""
    metadata = getattr(node, "_input_metadata", None)  # private in torch 2.x: read defensively
    try:
        return list(metadata[index].shape)
    except (TypeError, IndexError, AttributeError):
        return None


def pairwise_broadcasts(node: Any) -> list[dict[str, Any]]:
    """The elementwise ops behind ``node`` that broadcast an (N, 1) model tensor to (N, N)
    against a tensor without gradient."""
    found = []
    for node in graph_nodes(node):
        children = node.next_functions
        if node.name() not in ELEMENTWISE or len(children) != 2 or sum(c is None for c, _ in children) != 1:
            continue
        child, index = next((c, i) for c, i in children if c is not None)
        inner, outer = _shape(child, index), _shape(node, 0)
        if inner and outer and len(inner) == 2 and inner[0] > 1 and inner[1] == 1 and outer == [inner[0], inner[0]]:
            found.append({"op": node.name(), "input_shape": inner, "output_shape": outer})
    return found


#: normalisations over classes: a second one straight on the output of the first is a double softmax
NORMALISING = {"SoftmaxBackward0", "LogSoftmaxBackward0"}


def softmax_of_softmax(node: Any) -> list[dict[str, str]]:
    """The softmax / log_softmax nodes behind ``node`` whose input comes straight from another
    softmax (``log_softmax(softmax(x))``: probabilities normalised a second time)."""
    found = []
    for node in graph_nodes(node):
        if node.name() not in NORMALISING:
            continue
        inner = node.next_functions[0][0] if node.next_functions else None
        if inner is not None and inner.name() == "SoftmaxBackward0":
            found.append({"op": node.name().removesuffix("Backward0"), "input_op": inner.name().removesuffix("Backward0")})
    return found


def _is_residual(node: Any) -> bool:
    """A difference of exactly one tensor with gradient and one without (a target)."""
    return (node is not None and node.name() in DIFFERENCE and len(node.next_functions) == 2
            and sum(c is None for c, _ in node.next_functions) == 1)


def residual(node: Any) -> dict[str, Any] | None:
    """Statistics of the largest residual behind ``node`` that is squared or taken absolute
    (``pow(d, 2)``, ``d * d``, ``d.abs()``, with ``d = pred - target``), or None."""
    found = None
    for node in graph_nodes(node):
        name, children = node.name(), node.next_functions
        if not children or not _is_residual(children[0][0]):
            continue
        if name == "PowBackward0" and getattr(node, "_saved_exponent", None) == 2:
            kind = "squared"
        elif name == "MulBackward0" and len(children) == 2 and children[1][0] is children[0][0]:
            kind = "squared"
        elif name == "AbsBackward0":
            kind = "absolute"
        else:
            continue
        d = getattr(node, "_saved_self", None)
        if not isinstance(d, torch.Tensor) or not d.is_floating_point() or d.numel() < 2:
            continue
        d = d.detach().float()
        rms = float(d.square().mean().sqrt())
        # pred - target (the target second) or target - pred: the target's mean is -mean(d) or mean(d)
        sign = -1.0 if children[0][0].next_functions[1][0] is None else 1.0
        if found is None or rms > found["rms"]:
            found = {"kind": kind, "rms": rms, "target_mean": sign * float(d.mean()), "std": float(d.std()),
                     "numel": d.numel()}
    return found


class LossGraphProbe(Probe):
    """Broadcasts in the loss's own arithmetic and a linear model, at the first backward."""

    name = "loss_graph"
    cost = Cost.CHEAP
    schedule = STEP_ZERO

    def __init__(self) -> None:
        self._done = False
        self._output: torch.Tensor | None = None  # input of the latest training loss call

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        if call.training and not self._done:
            self._output = call.input

    def before_backward(self, ctx: StepContext) -> None:
        root = ctx.backward_root
        if self._done or root is None or root.grad_fn is None:
            return
        self._done = True
        # the loss function's input, else the model's output (a loss written by hand)
        output = graph_root([self._output, ctx.batch.output if ctx.batch else None])
        self._output = None
        found = residual(root.grad_fn)
        prediction = first_float(ctx.batch.output) if ctx.batch else None
        if found is not None and prediction is not None:
            found["output_rms"] = float(prediction.detach().float().square().mean().sqrt())
        ctx.emit("loss_graph", {
            "broadcasts": pairwise_broadcasts(root.grad_fn),
            "linear_layers": linear_layers(output.grad_fn) if output is not None else 0,
            "residual": found,
            "softmax_twice": softmax_of_softmax(root.grad_fn),
        })


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LossGraphProbe()]

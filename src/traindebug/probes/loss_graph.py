"""Silent broadcasts in a hand-written loss: a prediction compared with every target.

``probes/loss_inputs.py`` sees the shapes that torch's loss functions get. A loss
written by hand (``(pred - target).abs().mean()``) has no such call; its shapes
are in the autograd graph. Before the first backward this probe walks the graph
of the loss and looks for elementwise operations (``-``, ``+``, ``*``, ``/``)
between a tensor computed from the model with shape ``(N, 1)`` and a tensor
without gradient (the target), whose result has shape ``(N, N)``: a ``(N, 1)``
output against a ``(N,)`` target, which compares every prediction with every
target. It emits one ``loss_graph`` record with the operations found (``op``,
``input_shape``, ``output_shape``; empty when none).
"""

from __future__ import annotations

from typing import Any

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.schedule import STEP_ZERO

#: elementwise binary autograd nodes (Rsub: ``target - pred``)
ELEMENTWISE = {"SubBackward0", "AddBackward0", "MulBackward0", "DivBackward0", "RsubBackward0"}


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
    found, seen, stack = [], set(), [node]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        children = node.next_functions
        stack.extend(child for child, _ in children)
        if node.name() not in ELEMENTWISE or len(children) != 2 or sum(c is None for c, _ in children) != 1:
            continue
        child, index = next((c, i) for c, i in children if c is not None)
        inner, outer = _shape(child, index), _shape(node, 0)
        if inner and outer and len(inner) == 2 and inner[0] > 1 and inner[1] == 1 and outer == [inner[0], inner[0]]:
            found.append({"op": node.name(), "input_shape": inner, "output_shape": outer})
    return found


class LossGraphProbe(Probe):
    """(N, 1) against (N,) broadcasts in the loss's own arithmetic, at the first backward."""

    name = "loss_graph"
    cost = Cost.CHEAP
    schedule = STEP_ZERO

    def __init__(self) -> None:
        self._done = False

    def before_backward(self, ctx: StepContext) -> None:
        root = ctx.backward_root
        if self._done or root is None or root.grad_fn is None:
            return
        self._done = True
        ctx.emit("loss_graph", {"broadcasts": pairwise_broadcasts(root.grad_fn)})


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LossGraphProbe()]

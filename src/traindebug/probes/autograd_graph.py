"""Reading the autograd graph of the user's step: its nodes, its root, and the model's input.

``graph_nodes`` visits every node behind a tensor once. ``graph_input`` finds the data a
model without nn.Module layers read: probes of the model's input (input scale,
label-neighbour agreement) take it from the first module's forward, and a functional
model (``x @ W1``, ``F.conv2d(x, w)`` with explicit tensors) has no module to hook; its
input is still saved in the graph by the first weighted operation, as the operand that
does not require grad.
"""

from __future__ import annotations

from typing import Any, Iterator

import torch

#: weighted autograd nodes and the attributes under which they save their operands
SAVED_OPERANDS = {
    "MmBackward0": ("_saved_self", "_saved_mat2"),
    "AddmmBackward0": ("_saved_mat1", "_saved_mat2"),
    "BmmBackward0": ("_saved_self", "_saved_mat2"),
    "ConvolutionBackward0": ("_saved_input", "_saved_weight"),
}


def graph_nodes(node: Any) -> Iterator[Any]:
    """Every autograd node behind ``node`` (itself included), each once, depth first."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(child for child, _ in node.next_functions)


def graph_root(candidates: list[Any]) -> torch.Tensor | None:
    """The first candidate that is a live tensor of a training graph."""
    return next((t for t in candidates if isinstance(t, torch.Tensor) and t.grad_fn is not None), None)


def graph_node_ids(root: torch.Tensor) -> set[int]:
    """The ids of every autograd node behind ``root``."""
    return {id(node) for node in graph_nodes(root.grad_fn)}


def largest_behind(tensors: list[torch.Tensor], behind: set[int]) -> torch.Tensor | None:
    """The tensor of ``tensors`` with the most elements (the latest of equals) whose graph
    shares an operation with ``behind`` (``graph_node_ids`` of a loss), or None. Shares, not
    contains: a physics-informed loss depends on the model's derivatives, not on its output."""
    # largest first (sorted is stable: the latest of equals first), so that the graph walks stop
    # at the first that shares; most candidates share their own last operation with the loss
    for t in sorted(reversed(tensors), key=torch.Tensor.numel, reverse=True):
        if t.grad_fn is not None and _shares_node(t, behind):
            return t
    return None


def _shares_node(tensor: torch.Tensor, behind: set[int]) -> bool:
    """Whether an operation behind ``tensor`` (not a parameter's leaf) is in ``behind``."""
    return any(id(node) in behind and node.name() != "torch::autograd::AccumulateGrad"
               for node in graph_nodes(tensor.grad_fn))


def graph_input(output: torch.Tensor) -> tuple[torch.Tensor, str] | None:
    """(the floating-point operand without grad of the earliest weighted op behind ``output``,
    that op's autograd node name), or None."""
    first: tuple[int, torch.Tensor, str] | None = None
    for node in graph_nodes(output.grad_fn):
        for attribute in SAVED_OPERANDS.get(node.name(), ()):
            saved = getattr(node, attribute, None)
            if isinstance(saved, torch.Tensor) and saved.is_floating_point() and not saved.requires_grad:
                if first is None or node._sequence_nr() < first[0]:
                    first = (node._sequence_nr(), saved, node.name())
    return None if first is None else (first[1], first[2])

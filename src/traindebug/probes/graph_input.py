"""The data a model without nn.Module layers read, found in the autograd graph.

Probes of the model's input (label-neighbour agreement) take it from the first
module's forward. A functional model (``x @ W1``, ``F.conv2d(x, w)`` with explicit
tensors) has no module to hook; its input is still saved in the autograd graph
by the first weighted operation, as the operand that does not require grad.
"""

from __future__ import annotations

from typing import Any

import torch

#: weighted autograd nodes and the attributes under which they save their operands
SAVED_OPERANDS = {
    "MmBackward0": ("_saved_self", "_saved_mat2"),
    "AddmmBackward0": ("_saved_mat1", "_saved_mat2"),
    "BmmBackward0": ("_saved_self", "_saved_mat2"),
    "ConvolutionBackward0": ("_saved_input", "_saved_weight"),
}


def graph_input(output: torch.Tensor) -> tuple[torch.Tensor, str] | None:
    """(the floating-point operand without grad of the earliest weighted op behind ``output``,
    that op's autograd node name), or None."""
    first: tuple[int, torch.Tensor, str] | None = None
    seen: set[int] = set()
    stack: list[Any] = [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(child for child, _ in node.next_functions)
        for attribute in SAVED_OPERANDS.get(node.name(), ()):
            saved = getattr(node, attribute, None)
            if isinstance(saved, torch.Tensor) and saved.is_floating_point() and not saved.requires_grad:
                if first is None or node._sequence_nr() < first[0]:
                    first = (node._sequence_nr(), saved, node.name())
    return None if first is None else (first[1], first[2])

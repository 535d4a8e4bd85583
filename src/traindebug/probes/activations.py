"""Activation scale per module: how the signal's size changes through depth.

On due steps (step 0, then every 50 steps) it looks at the output of every
leaf module during the training forward and emits an ``activations`` record
with, per module (in forward order): ``std`` and ``mean_abs`` of the output,
``kind``, the module type, and ``head``: the module's output reaches the model's
output without passing another weighted layer (an output head; a model may have
several, such as an actor-critic's policy and value heads). At step 0, when the model
returns a categorical distribution (a policy), the record also has ``categorical``:
its number of ``classes`` and ``uniform_ce``, the mean of -log p over samples and
classes (the cross-entropy against a uniformly random class: ln(classes) for a uniform
distribution, larger the more confident it is). Dead and saturated units are measured
by ``probes/unit_health.py`` from the autograd graph.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.distributions import Categorical, OneHotCategorical

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext
from traindebug.probes.unit_health import is_weighted
from traindebug.schedule import Schedule


def output_tensors(output: Any) -> list[torch.Tensor]:
    """The tensors a model returns: itself, the items of a tuple, list or dict, or the tensor
    attributes of an object (a torch.distributions object built on the logits)."""
    if isinstance(output, torch.Tensor):
        return [output]
    items = output if isinstance(output, (tuple, list)) else output.values() if isinstance(output, dict) else None
    if items is not None:
        return [t for item in items for t in output_tensors(item)]
    return [t for t in getattr(output, "__dict__", {}).values() if isinstance(t, torch.Tensor)]


def categoricals(output: Any) -> list[Categorical]:
    """The categorical distributions a model returns: itself, or inside a tuple, list or dict
    (a OneHotCategorical through the Categorical it wraps)."""
    if isinstance(output, OneHotCategorical):
        return [output._categorical]
    if isinstance(output, Categorical):
        return [output]
    items = output if isinstance(output, (tuple, list)) else output.values() if isinstance(output, dict) else ()
    return [d for item in items for d in categoricals(item)]


def head_nodes(output: Any) -> set[int]:
    """Ids of the weighted autograd nodes nearest to the model's output tensors: the last
    weighted operation on each path back from an output (its output heads)."""
    stack = [t.grad_fn for t in output_tensors(output) if t.grad_fn is not None]
    heads: set[int] = set()
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if is_weighted(node):
            heads.add(id(node))
            continue
        stack.extend(child for child, _ in node.next_functions)
    return heads


class ActivationProbe(Probe):
    """Per-leaf-module output scale on scheduled steps."""

    name = "activations"
    cost = Cost.CHEAP
    schedule = Schedule(first=1, every=50)
    wants_forward = True

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._categorical: dict[str, Any] | None = None
        self._step = -1

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if next(module.children(), None) is not None or not isinstance(output, torch.Tensor):
            return
        if not output.is_floating_point() or output.numel() < 2:
            return
        if ctx.step != self._step:
            self._rows, self._step = [], ctx.step
        name = ctx.run.module_name(module)
        if any(r["module"] == name for r in self._rows):
            return  # a module called twice in one step (weight sharing): first call only
        x = output.detach().float()
        self._rows.append({"module": name, "kind": type(module).__name__, "std": x.std(), "mean_abs": x.abs().mean(),
                           "grad_fn": output.grad_fn})

    def before_backward(self, ctx: StepContext) -> None:
        if self._step != ctx.step or ctx.batch is None or ctx.backward_count:
            return
        heads = head_nodes(ctx.batch.output)
        for row in self._rows:
            row["head"] = id(row["grad_fn"]) in heads if row["grad_fn"] is not None else False
        found = categoricals(ctx.batch.output) if ctx.step == 0 else []
        if found:
            log_p = found[0].logits.detach().float()  # normalised: log-probabilities
            self._categorical = {"classes": log_p.shape[-1], "uniform_ce": -log_p.mean()}

    def after_step(self, ctx: StepContext) -> None:
        for row in self._rows:
            row.pop("grad_fn", None)
        if self._rows and self._step == ctx.step:
            ctx.emit("activations", {"modules": self._rows}
                     | ({"categorical": self._categorical} if self._categorical else {}))
        self._rows, self._categorical = [], None


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [ActivationProbe()]

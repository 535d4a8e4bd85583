"""What a probe is and what it sees.

A probe only measures. The session calls its hooks at the training loop's
events, only on the steps its ``schedule`` makes due, and the probe writes what
it measured with ``ctx.record`` (into the step record) or ``ctx.emit`` (a
record of its own kind). It must not change the user's run: no writes to
parameters, ``.grad``, optimizer state, module modes, buffers or the global RNG
(use ``traindebug.isolation.isolated`` for extra passes).

Order of events within one optimizer step (step index ``ctx.step``)::

    on_forward (every module call of a training forward, when wants_forward)
    on_eval_forward (every module call with gradients disabled: evaluation, sampling)
    on_loss_call (each call of a torch loss function)
    before_backward / after_backward (once per backward; several with accumulation)
    before_step (grads are final, parameters not yet updated)
    after_step (parameters updated; the step record is written after this)

A script without optimizer (manual ``p -= lr * p.grad``) gets one step per
backward: ``before_step`` right after the backward, ``after_step`` just before
the next backward (or at the end of the run).
"""

from __future__ import annotations

import enum
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from traindebug.schedule import EVERY_STEP, Schedule


class Cost(str, enum.Enum):
    """How much a probe costs, relative to a training step."""

    FREE = "free"  # reads what is already there
    CHEAP = "cheap"  # a few reductions over parameters or gradients
    EXTRA_BACKWARD = "extra-backward"  # about one more forward/backward
    EXPENSIVE = "expensive"  # many passes (curvature, finite differences)


@dataclass
class LossCall:
    """One call of a torch loss function (module or functional), as observed."""

    name: str  # e.g. "cross_entropy", "mse_loss"
    fn: Callable[..., torch.Tensor]  # the original torch function
    input: torch.Tensor  # what the model produced (first argument)
    target: Any  # second argument (often a tensor), or None
    kwargs: dict[str, Any]
    output: torch.Tensor  # detached loss value
    training: bool  # grad was enabled (training) or not (evaluation)

    def recompute(self, input: torch.Tensor, target: Any = None) -> torch.Tensor:
        """The same loss function, same options, on a new input (and target)."""
        return self.fn(input, self.target if target is None else target, **self.kwargs)

    def replay_problem(self) -> str:
        """Why replaying this loss on a recomputed model output would be wrong ('' if it
        would not): an argument besides ``input`` that carries gradient (e.g. the ``var``
        of gaussian_nll_loss from a second model head) would be held fixed."""
        others = sorted(k for k, v in self.kwargs.items() if isinstance(v, torch.Tensor) and v.requires_grad)
        if others:
            return f"the loss also reads {', '.join(others)} from the model, which a recomputation would hold fixed"
        return ""


@dataclass
class Batch:
    """The last training forward of the main model: its inputs and output."""

    model: nn.Module
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    output: Any


@dataclass
class RunContext:
    """What the session knows about the run; shared by all probes."""

    out_dir: Path
    settings: "Settings"
    models: list[nn.Module] = field(default_factory=list)
    optimizers: list[torch.optim.Optimizer] = field(default_factory=list)
    #: observed trainable tensors, in the order of per-tensor lists
    params: list[tuple[str, nn.Parameter]] = field(default_factory=list)
    #: id(module) -> qualified name, for every module of every observed model
    module_names: dict[int, str] = field(default_factory=dict)
    #: the user's custom autograd Functions: class -> (args, kwargs) of its first training call,
    #: tensors detached and copied (requires_grad kept)
    functions: dict[type, tuple[tuple, dict]] = field(default_factory=dict)

    def module_name(self, module: nn.Module) -> str:
        """The qualified name of a module of an observed model (its type if unknown)."""
        return self.module_names.get(id(module), type(module).__name__)

    @property
    def device(self) -> torch.device:
        """Device of the first observed parameter (cpu if none)."""
        return self.params[0][1].device if self.params else torch.device("cpu")


@dataclass
class Settings:
    """User choices that probes read: preset and per-probe schedule overrides."""

    preset: str = "cheap"  # cheap | economy | full
    schedules: dict[str, Schedule] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


class StepContext:
    """What a probe sees at one event of one step."""

    def __init__(self, run: RunContext, step: int, sink: Callable[[dict[str, Any]], None]):
        self.run = run
        self.step = step
        self.record_data: dict[str, Any] = {}
        self._sink = sink
        #: detached value of the latest loss passed to backward in this step
        self.loss: torch.Tensor | None = None
        #: the tensor about to be backpropagated, with its graph: set during before_backward only
        self.backward_root: torch.Tensor | None = None
        #: the losses of all backward passes of this step (accumulation)
        self.losses: list[torch.Tensor] = []
        #: the latest training forward of the main model
        self.batch: Batch | None = None
        #: the latest training loss-function call
        self.loss_call: LossCall | None = None
        #: number of backward passes so far in this step
        self.backward_count = 0
        #: True when the script has no optimizer (one step per backward)
        self.manual = False
        #: set in before_backward by a probe that backpropagates through the user's graph
        #: again in its after_backward (which frees the graph): the backward then retains it
        self.keep_graph = False
        #: gradients that ``torch.autograd.grad`` returned to the script this step, by id of
        #: their tensor (the session puts them in ``.grad`` while probes run)
        self.returned_grads: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    @property
    def params(self) -> list[tuple[str, nn.Parameter]]:
        """The observed trainable tensors (name, parameter)."""
        return self.run.params

    def record(self, key: str, value: Any) -> None:
        """Put a value (tensor on any device, number, list) into this step's record."""
        self.record_data[key] = value

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """Write a record of the probe's own kind, tagged with this step."""
        self._sink({"kind": kind, "step": self.step, **data})


class Probe:
    """Base class: override the hooks you need. Every hook is optional."""

    name: str = "probe"
    cost: Cost = Cost.CHEAP
    schedule: Schedule = EVERY_STEP
    #: set True to receive on_forward calls on due steps (costs a Python call per module)
    wants_forward: bool = False

    def setup(self, run: RunContext) -> None:
        """Called once when the first step starts (models and optimizers are known)."""

    def on_params_added(self, run: RunContext) -> None:
        """New trainable tensors were appended to ``run.params`` after setup."""

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        """A module finished a training forward (grad enabled) on a due step."""

    def on_eval_forward(self, ctx: StepContext, module: nn.Module, args: tuple) -> None:
        """A module finished a forward with gradients disabled (evaluation, sampling) on ``args``,
        on any step; called for every such module call, so keep it to a few attribute reads."""

    def on_detached_forward(self, ctx: StepContext, module: nn.Module) -> None:
        """A module finished a forward with gradients disabled inside a training forward (a
        ``torch.no_grad()`` block in a model's own forward), on a due step."""

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        """A torch loss function was called (training or evaluation)."""

    def before_backward(self, ctx: StepContext) -> None:
        """A backward pass is about to run; ``ctx.loss`` is its loss."""

    def after_backward(self, ctx: StepContext) -> None:
        """A backward pass finished."""

    def before_step(self, ctx: StepContext) -> None:
        """Gradients are final; the optimizer is about to update parameters."""

    def after_step(self, ctx: StepContext) -> None:
        """Parameters were updated."""

    def finish(self, run: RunContext, emit: Callable[[dict[str, Any]], None]) -> None:
        """The run ended (any status); write summaries with ``emit({'kind': ...})``."""


def describe_exception(exc: BaseException) -> str:
    """One line for a skip reason: 'TypeError: message' (first line, at most 300 characters)."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]


def count_bins(index: torch.Tensor, size: int) -> torch.Tensor:
    """Counts [size] (float32) of the values of the flat integer tensor ``index`` (all in
    [0, size)): what ``bincount`` gives, as fast on CPU, without its host read (on CUDA,
    bincount reads the smallest and largest index before it counts)."""
    ones = torch.ones((), device=index.device).expand(index.shape)
    return torch.zeros(size, device=index.device).scatter_add_(0, index, ones)


#: a tensor's ``.grad`` as seen at one moment: a weak reference to it (None where absent: no
#: memory kept) and its version
GradMark = tuple["weakref.ref[torch.Tensor] | None", int]


def grad_marks(params: list[tuple[str, nn.Parameter]]) -> list[GradMark]:
    """The tensors' ``.grad`` as they are now, to tell later whether a backward or a reset
    wrote them since (``same_grad``)."""
    return [(None, -1) if p.grad is None else (weakref.ref(p.grad), p.grad._version) for _, p in params]


def same_grad(mark: GradMark, grad: torch.Tensor | None) -> bool:
    """Whether ``grad`` is the marked gradient, unchanged: the same tensor at the same version
    (not set anew, accumulated into or zeroed since)."""
    ref, version = mark
    return ref is not None and grad is not None and ref() is grad and grad._version == version


def dense_grads(params: list[tuple[str, nn.Parameter]]) -> list[torch.Tensor | None]:
    """The tensors' ``.grad`` (None where absent), sparse ones (``nn.Embedding(sparse=True)``)
    as dense copies, so that reductions and views work on every gradient."""
    return [None if p.grad is None else p.grad if p.grad.layout == torch.strided else p.grad.to_dense()
            for _, p in params]


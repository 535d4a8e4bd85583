"""Global hooks that observe an unmodified training loop.

``Capture`` installs, for the duration of a run:

- torch's global module forward pre/post hooks (which models run, their batches),
- a wrapper around ``torch.autograd.backward`` (``Tensor.backward`` calls it),
  which sees the loss of every backward pass, and one around ``torch.autograd.grad``
  for loops that take a scalar loss's gradients with respect to leaf tensors that way
  (the gradients it returns are handed to the observer: they are not in ``.grad``),
- torch's global optimizer step pre/post hooks, and a wrapper of
  ``Optimizer.__init__`` that sees every optimizer created,
- wrappers around the loss functions of ``torch.nn.functional`` (the loss
  modules call them too), around ``clip_grad_norm_`` and around ``autograd.Function.apply``
  (the user's own custom Functions, for the finite-difference check).

Every event is forwarded to an ``Observer`` (the session). Events raised while
the observer runs its own computations (``observer.busy``) are ignored, so
probes can run forward and backward passes of their own. So are events inside a
torch.func transform (``vmap(grad(f))``: per-sample gradients the script computes
itself), whose tensors exist only inside that transform.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Protocol

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.optim import optimizer as optimizer_hooks

LOSS_FUNCTIONS = (
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    # a sequence likelihood over log-probabilities (T, N, C): classes in the last dimension
    "ctc_loss",
    # ranking, metric-learning and margin losses: observed for their value (the data term of a
    # loss with terms added by hand) and their inputs; no rule reads their targets as labels
    "margin_ranking_loss",
    "triplet_margin_loss",
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
)


class Observer(Protocol):
    """The events a capture forwards (implemented by Session)."""

    busy: bool

    def before_root_forward(self, module: nn.Module) -> None: ...
    def on_forward(self, module: nn.Module, args: tuple, kwargs: dict, output: Any, root: bool) -> None: ...
    def on_loss_call(self, name: str, fn: Callable, args: tuple, kwargs: dict, output: Any) -> None: ...
    def before_backward(self, loss: torch.Tensor) -> bool | None: ...
    def trains(self, tensors: tuple[torch.Tensor, ...]) -> bool: ...
    def after_backward(self, loss: torch.Tensor, returned: list[tuple[torch.Tensor, torch.Tensor]] | None = None) -> None: ...
    def on_optimizer_created(self, optimizer: torch.optim.Optimizer) -> None: ...
    def before_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None: ...
    def after_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None: ...
    def on_clip(self, total_norm: torch.Tensor, max_norm: float) -> None: ...
    def on_function_call(self, function: type, args: tuple, kwargs: dict) -> None: ...
    def on_internal_error(self, event: str, exc: Exception) -> None: ...


class _Guarded:
    """The observer with every event handler guarded: an exception raised inside traindebug is
    reported to the observer (``on_internal_error``) and the user's code goes on as without
    it. Only BaseExceptions that end the run on purpose (``--max-steps``, Ctrl-C) pass."""

    def __init__(self, observer: Observer) -> None:
        self._observer = observer

    @property
    def busy(self) -> bool:
        # inside a torch.func transform (vmap, grad: per-sample gradients written by the user)
        # tensors are wrapped for that transform only; keeping one breaks once the transform ends
        return self._observer.busy or _inside_func_transform()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return getattr(self._observer, name)(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - traindebug's fault must not become the script's
                self._observer.on_internal_error(name, exc)
                return None

        setattr(self, name, guarded)  # looked up once: later calls find it in the instance
        return guarded


class Capture:
    """Installs and removes the global hooks for one observer."""

    def __init__(self, observer: Observer) -> None:
        self.observer: Observer = _Guarded(observer)  # type: ignore[assignment]
        self._handles: list[Any] = []
        self._patches: list[tuple[Any, str, Any]] = []
        self._depth = 0
        #: inside the user's backward: forwards seen now are recomputations (activation
        #: checkpointing), and backward calls are nested ones (reentrant checkpointing)
        self._in_backward = False

    # -- install / remove -------------------------------------------------
    def install(self) -> None:
        """Install every hook and wrapper."""
        self._handles += [
            module_hooks.register_module_forward_pre_hook(self._pre_forward),
            module_hooks.register_module_forward_hook(self._post_forward, with_kwargs=True, always_call=True),
            optimizer_hooks.register_optimizer_step_pre_hook(self._pre_step),
            optimizer_hooks.register_optimizer_step_post_hook(self._post_step),
        ]
        self._patch(torch.autograd, "backward", self._wrap_backward(torch.autograd.backward))
        self._patch(torch.autograd, "grad", self._wrap_grad(torch.autograd.grad))
        self._patch(torch.optim.Optimizer, "__init__", self._wrap_optimizer_init(torch.optim.Optimizer.__init__))
        for name in LOSS_FUNCTIONS:
            if hasattr(F, name):
                self._patch(F, name, self._wrap_loss(name, getattr(F, name)))
        clip = self._wrap_clip(torch.nn.utils.clip_grad_norm_)
        self._patch(torch.nn.utils, "clip_grad_norm_", clip)
        self._patch(torch.nn.utils.clip_grad, "clip_grad_norm_", clip)
        # a classmethod: the raw descriptor is saved and put back, not a method bound to Function
        raw = torch.autograd.Function.__dict__["apply"]
        self._patches.append((torch.autograd.Function, "apply", raw))
        torch.autograd.Function.apply = classmethod(self._wrap_function_apply(raw.__func__))  # type: ignore[method-assign]

    def remove(self) -> None:
        """Remove everything install() put in place (safe to call twice)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        for owner, attr, original in reversed(self._patches):
            setattr(owner, attr, original)
        self._patches = []

    def _patch(self, owner: Any, attr: str, replacement: Any) -> None:
        self._patches.append((owner, attr, getattr(owner, attr)))
        setattr(owner, attr, replacement)

    # -- module forwards --------------------------------------------------
    def _pre_forward(self, module: nn.Module, args: tuple) -> None:
        if self._in_backward:
            return
        if self._depth == 0 and not self.observer.busy:
            self.observer.before_root_forward(module)
        self._depth += 1

    def _post_forward(self, module: nn.Module, args: tuple, kwargs: dict, output: Any = None) -> None:
        if self._in_backward:
            return
        self._depth = max(self._depth - 1, 0)
        if self.observer.busy or output is None:
            return
        self.observer.on_forward(module, args, kwargs, output, root=self._depth == 0)

    # -- backward ---------------------------------------------------------
    def _wrap_backward(self, original: Callable) -> Callable:
        observer = self.observer

        @functools.wraps(original)
        def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            loss = tensors if isinstance(tensors, torch.Tensor) else None
            if observer.busy or loss is None or self._in_backward:
                return original(tensors, *args, **kwargs)
            self._depth = 0  # a forward that raised may have left it unbalanced
            if observer.before_backward(loss):
                args, kwargs = _retaining(args, kwargs)
            self._in_backward = True
            try:
                result = original(tensors, *args, **kwargs)
            finally:
                self._in_backward = False
            observer.after_backward(loss)
            return result

        return backward

    def _wrap_grad(self, original: Callable) -> Callable:
        observer = self.observer

        @functools.wraps(original)
        def grad(outputs: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
            loss = outputs[0] if isinstance(outputs, (list, tuple)) and len(outputs) == 1 else outputs
            if not isinstance(inputs, (torch.Tensor, tuple, list)):
                inputs = tuple(inputs)  # a generator (model.parameters()) is read once
            leaves = (inputs,) if isinstance(inputs, torch.Tensor) else inputs
            # a training step's gradients: a scalar loss, leaf tensors, no graph of the gradients
            # (a gradient penalty or a meta-learning inner step builds one: not a step of its own)
            if (observer.busy or self._in_backward or not isinstance(loss, torch.Tensor) or loss.numel() != 1
                    or _option(args, kwargs, 2, "create_graph")
                    or not all(isinstance(t, torch.Tensor) for t in leaves)
                    or not any(t.is_leaf and t.requires_grad for t in leaves)
                    or not observer.trains(tuple(leaves))):  # e.g. a saliency map: gradients of an input
                return original(outputs, inputs, *args, **kwargs)
            self._depth = 0
            if observer.before_backward(loss):
                args, kwargs = _retaining(args, kwargs)
            self._in_backward = True
            try:
                result = original(outputs, inputs, *args, **kwargs)
            finally:
                self._in_backward = False
            observer.after_backward(loss, [(t, g) for t, g in zip(leaves, result) if t.is_leaf and g is not None])
            return result

        return grad

    # -- optimizers -------------------------------------------------------
    def _wrap_optimizer_init(self, original: Callable) -> Callable:
        observer = self.observer

        @functools.wraps(original)
        def init(opt: torch.optim.Optimizer, *args: Any, **kwargs: Any) -> None:
            original(opt, *args, **kwargs)
            if not observer.busy:
                observer.on_optimizer_created(opt)

        return init

    def _pre_step(self, opt: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        if not self.observer.busy:
            self.observer.before_optimizer_step(opt)

    def _post_step(self, opt: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        if not self.observer.busy:
            self.observer.after_optimizer_step(opt)

    # -- loss functions and clipping ------------------------------------------
    def _wrap_loss(self, name: str, original: Callable) -> Callable:
        observer = self.observer

        @functools.wraps(original)
        def loss_fn(*args: Any, **kwargs: Any) -> Any:
            output = original(*args, **kwargs)
            if not observer.busy and args and isinstance(args[0], torch.Tensor):
                observer.on_loss_call(name, original, args, kwargs, output)
            return output

        return loss_fn

    def _wrap_clip(self, original: Callable) -> Callable:
        observer = self.observer

        @functools.wraps(original)
        def clip(parameters: Any, max_norm: float, *args: Any, **kwargs: Any) -> torch.Tensor:
            total = original(parameters, max_norm, *args, **kwargs)
            if not observer.busy:
                observer.on_clip(total, float(max_norm))
            return total

        return clip

    def _wrap_function_apply(self, original: Callable) -> Callable:
        observer = self.observer

        def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
            output = original(cls, *args, **kwargs)
            if (not observer.busy and not self._in_backward and torch.is_grad_enabled()
                    and not cls.__module__.startswith(LIBRARY_FUNCTIONS)):
                observer.on_function_call(cls, args, kwargs)
            return output

        return apply


#: True inside torch.func's vmap / grad / jvp (a private torch function, absent before torch 2.0)
_inside_func_transform: Callable[[], bool] = getattr(torch._C, "_are_functorch_transforms_active", lambda: False)

#: custom autograd Functions of these packages are not the user's code
LIBRARY_FUNCTIONS = ("torch", "traindebug", "backpack", "cockpit", "functorch")


def _retaining(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The arguments after the tensors of ``torch.autograd.backward(tensors, grad_tensors,
    retain_graph, ...)`` (``Tensor.backward`` passes retain_graph second too) or after the
    outputs and inputs of ``torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph,
    ...)``, with retain_graph=True where the caller left it unset: a probe backpropagates
    once more through the user's graph right after (and frees it)."""
    if len(args) >= 2:
        return (args[:1] + (True if args[1] is None else args[1],) + args[2:]), kwargs
    if kwargs.get("retain_graph") is None:
        kwargs = {**kwargs, "retain_graph": True}
    return args, kwargs


def _option(args: tuple, kwargs: dict, position: int, name: str) -> Any:
    """An argument given by position (in ``args``) or by name."""
    return args[position] if len(args) > position else kwargs.get(name)

"""Train/eval flags of the modules whose behaviour depends on them.

Mode-sensitive modules are dropout (p > 0) and batch-norm layers (with running
statistics) that belong to a trained part of a model (their parent module has
trainable parameters at the time of the check; a frozen backbone kept in eval mode
on purpose is left out). At setup it emits a
``mode_modules`` record (``modules``: name, kind, dropout ``p``). Then:

- at each training backward: ``eval_mode_modules`` in the step record, the
  number of those modules in eval mode, in a parent also in eval mode, among those that
  ran in the training forward before it (a model replaced by a rebuilt one, or an EMA
  copy, no longer runs there; batch norm put in eval mode on its own inside a block in
  training mode is frozen on purpose),
- at each evaluation loss call (gradients disabled and the model output built
  without gradients): ``eval_calls_checked`` / ``eval_calls_train_mode`` in the
  step record, how many such calls ran with those of the modules that made the
  output in training mode,
- for forwards with gradients disabled (an evaluation that computes only metrics, no
  loss): ``eval_forwards_train_mode`` in the step record, how many of those modules ran
  in training mode, with ``trained_models``, the number of models with trainable
  parameters then (a GAN samples from its generator without gradients), and
  ``eval_forward_same_inputs`` where the main model ran so on the very inputs of the
  step's training forward (full-batch training, a graph network's one step per epoch,
  evaluated after every step), and ``eval_forward_repeats``, the most forwards in a row it
  ran so on one and the same input tensor (Monte-Carlo dropout's passes).
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
from torch import nn

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, LossCall, Probe, RunContext, Settings, StepContext

SENSITIVE = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm)


def is_mode_sensitive(module: nn.Module) -> bool:
    """Whether the module computes differently in training and eval mode: dropout with p > 0,
    batch norm that keeps running statistics (``dropout=0.0``, as in a TransformerEncoderLayer
    built without dropout, or batch norm with ``track_running_stats=False`` compute the same in
    both modes)."""
    if isinstance(module, nn.modules.dropout._DropoutNd):
        return module.p > 0
    return isinstance(module, nn.modules.batchnorm._BatchNorm) and module.track_running_stats


def mode_sensitive_modules(model: nn.Module) -> list[tuple[str, nn.Module, nn.Module]]:
    """(name, module, parent) of every mode-sensitive dropout/batch-norm module of ``model``."""
    found = [
        (f"{parent_name}.{name}" if parent_name else name, child, parent)
        for parent_name, parent in model.named_modules()
        for name, child in parent.named_children()
        if is_mode_sensitive(child)
    ]
    if is_mode_sensitive(model):
        found.append((type(model).__name__, model, model))
    return found


def is_trained(parent: nn.Module) -> bool:
    """Whether a module's parent (the block it belongs to) has trainable parameters now."""
    return any(p.requires_grad for p in parent.parameters())


class ModuleModeProbe(Probe):
    """Reads module.training flags: free, host-side."""

    name = "module_modes"
    cost = Cost.FREE
    wants_forward = True

    def __init__(self) -> None:
        self._modules: list[tuple[str, nn.Module, nn.Module]] = []
        #: ids of the mode-sensitive modules that ran in training forwards since the last backward
        self._ran: set[int] = set()
        self._models = 0
        self._eval_calls = 0
        self._eval_train = 0
        #: ids of the mode-sensitive modules that ran in training mode with gradients disabled
        self._eval_forward_train: set[int] = set()
        #: ids of the mode-sensitive modules that ran (with or without gradients) since the last loss call
        self._since_loss: set[int] = set()
        #: the main model ran without gradients on its training forward's own inputs this step
        self._same_inputs = False
        #: the latest input of the main model's forwards without gradients, how many forwards in a
        #: row took it, and the longest such run this step (Monte-Carlo dropout samples one input)
        self._last_input: weakref.ref[torch.Tensor] | None = None
        self._repeats = 0
        self._max_repeats = 0

    def setup(self, run: RunContext) -> None:
        self._refresh(run)

    def on_params_added(self, run: RunContext) -> None:
        self._refresh(run)

    def _refresh(self, run: RunContext) -> None:
        if len(run.models) == self._models:
            return
        self._models = len(run.models)
        seen: set[int] = set()
        self._modules = []
        for model in run.models:
            for name, module, parent in mode_sensitive_modules(model):
                if id(module) not in seen:
                    seen.add(id(module))
                    self._modules.append((run.module_name(module) or name, module, parent))

    def on_forward(self, ctx: StepContext, module: nn.Module, args: tuple, output: Any) -> None:
        if isinstance(module, SENSITIVE):
            self._ran.add(id(module))
            self._since_loss.add(id(module))

    def before_backward(self, ctx: StepContext) -> None:
        if self._models != len(ctx.run.models):
            self._refresh(ctx.run)
        ran, self._ran = self._ran, set()
        if not self._modules:
            return
        if ctx.step == 0 and ctx.backward_count == 0:
            ctx.emit(
                "mode_modules",
                {
                    "modules": [
                        {"module": n, "kind": type(m).__name__, "p": getattr(m, "p", None)}
                        for n, m, parent in self._modules
                        if is_trained(parent)
                    ]
                },
            )
        # parents are checked only for modules in eval mode: nothing to do in a healthy run
        # a module switched to eval mode inside a block in training mode was switched on its own,
        # on purpose (batch norm with frozen statistics while fine-tuning); model.eval() left on
        # from an evaluation puts the whole block in eval mode
        ctx.record("eval_mode_modules",
                   sum(1 for _, m, parent in self._modules
                       if not m.training and not parent.training and id(m) in ran and is_trained(parent)))

    def on_eval_forward(self, ctx: StepContext, module: nn.Module, args: tuple) -> None:
        if isinstance(module, SENSITIVE):
            self._since_loss.add(id(module))
            if module.training:
                self._eval_forward_train.add(id(module))
        elif ctx.batch is not None and module is ctx.batch.model and args:
            self._count_repeat(args[0])
            if len(args) == len(ctx.batch.args):
                self._same_inputs = self._same_inputs or all(a is b for a, b in zip(args, ctx.batch.args))

    def _count_repeat(self, x: Any) -> None:
        """Consecutive forwards without gradients of the main model on the very same input tensor
        (a weak reference: a freed batch whose id is reused is not the same tensor)."""
        previous = self._last_input() if self._last_input is not None else None
        self._repeats = self._repeats + 1 if previous is not None and previous is x else 1
        self._last_input = weakref.ref(x) if isinstance(x, torch.Tensor) else None
        self._max_repeats = max(self._max_repeats, self._repeats)

    def on_loss_call(self, ctx: StepContext, call: LossCall) -> None:
        ran, self._since_loss = self._since_loss, set()
        if call.training or call.input.requires_grad or not self._modules:
            return
        self._eval_calls += 1
        # only the modules of the forward that made this output: an EMA copy evaluated in eval
        # mode while the live model stays in training mode is a correct evaluation
        if any(m.training and id(m) in ran and is_trained(parent) for _, m, parent in self._modules):
            self._eval_train += 1

    def after_step(self, ctx: StepContext) -> None:
        if self._eval_calls:
            ctx.record("eval_calls_checked", self._eval_calls)
            ctx.record("eval_calls_train_mode", self._eval_train)
            self._eval_calls = self._eval_train = 0
        if self._eval_forward_train:
            ran, self._eval_forward_train = self._eval_forward_train, set()
            count = sum(1 for _, m, parent in self._modules if id(m) in ran and is_trained(parent))
            if count:
                ctx.record("eval_forwards_train_mode", count)
                ctx.record("trained_models", sum(1 for model in ctx.run.models if is_trained(model)))
                if self._same_inputs:
                    ctx.record("eval_forward_same_inputs", 1)
                if self._max_repeats > 1:
                    ctx.record("eval_forward_repeats", self._max_repeats)
        self._same_inputs = False
        self._max_repeats = 0


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [ModuleModeProbe()]

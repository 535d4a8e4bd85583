"""One observed run: owns the hooks, the probes, the store, and the verdict.

``Session`` turns the raw events of ``capture`` into optimizer steps, calls the
probes on their schedules, writes ``metrics.jsonl`` as the run goes, and at the
end runs the rules and writes ``findings.json`` and ``logbook.md``.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import inspect
import platform
import time
import traceback
import weakref
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from torch import nn

from traindebug import __version__
from traindebug.capture import Capture
from traindebug.engine import Verdict, judge
from traindebug.findings import Finding
from traindebug.output import write_outputs
from traindebug.plugins import collect_probes, plugin_manager
from traindebug.probes.base import (
    Batch, GradMark, LossCall, Probe, RunContext, Settings, StepContext, grad_marks, same_grad,
)
from traindebug.schedule import Schedule
from traindebug.store import MetricStore
from traindebug.terminal import Terminal


#: the probe hooks called on training events (setup and finish are called for every probe)
HOOKS = ("on_forward", "on_eval_forward", "on_detached_forward", "on_loss_call", "before_backward", "after_backward",
         "before_step", "after_step")


#: custom autograd Functions kept for the gradient check, and the largest argument kept (elements)
MAX_FUNCTIONS = 8
MAX_FUNCTION_NUMEL = 2**20
#: every this many steps the models' tensors are listed again: a parameter frozen when the run
#: started and unfrozen later (fine-tuning stages) is observed from then on
PARAMS_RESCAN_STEPS = 50


class MaxStepsReached(BaseException):
    """Raised inside the user's optimizer step to end a run at --max-steps.

    A BaseException so that a script's ``except Exception`` does not swallow it.
    """


class Session:
    """Observe the training that happens inside ``with Session(...):``.

    Args:
        out: output folder (default ``traindebug-runs/<name>-<timestamp>``).
        model, optimizer: optional; found automatically when omitted.
        max_steps: end the run after this many optimizer steps (None: no limit).
        probes: cost preset, ``cheap`` | ``economy`` | ``full``.
        schedules: per-probe schedule overrides, e.g. ``{"per_sample": "every:16"}``.
        quiet: no terminal output.
        pdf: also render ``logbook.pdf`` at the end.
    """

    def __init__(
        self,
        out: str | Path | None = None,
        *,
        name: str = "session",
        model: nn.Module | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        max_steps: int | None = None,
        probes: str = "cheap",
        schedules: dict[str, str] | None = None,
        quiet: bool = False,
        pdf: bool = False,
        script: str | None = None,
        argv: list[str] | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out_dir = Path(out) if out else Path("traindebug-runs") / f"{name}-{stamp}"
        self.max_steps = max_steps
        self.pdf = pdf
        self.script = script or name
        self.argv = list(argv or [])
        settings = Settings(
            preset=probes,
            schedules={k: Schedule.parse(v) for k, v in (schedules or {}).items()},
            options=dict(options or {}),
        )
        self.run = RunContext(out_dir=self.out_dir, settings=settings)
        self.busy = False
        self.status = "running"
        self.verdict: Verdict | None = None
        self._given_model = model
        self._given_optimizer = optimizer
        self._capture = Capture(self)
        self._pm = plugin_manager()
        self._probes: list[Probe] = []
        #: hook name -> the probes that implement it (the base class's hooks do nothing)
        self._listeners: dict[str, list[Probe]] = {}
        self._store: MetricStore | None = None
        self._terminal = Terminal(quiet=quiet)
        self._ctx: StepContext | None = None
        self._step = 0
        self._started = False  # probes set up (first backward seen)
        #: the outermost module forward running now began with gradients enabled (a training forward)
        self._training_forward = False
        self._optimizer_steps_seen = False
        self._in_optimizer_step = 0
        self._pending = False  # an update happened; the step completes at the next event
        self._stepped: set[int] = set()  # optimizers that stepped in the pending step
        self._backward_total = 0
        self._graph_leaves: list[torch.Tensor] = []
        #: ids of models seen running inside torch.func.functional_call, and the names under which
        #: they held the caller's tensors (names for those tensors if they turn out to be trained)
        self._functional_models: set[int] = set()
        self._functional_names: dict[int, str] = {}
        self._versions: list[int] = []
        #: in a manual loop, each tensor's .grad after the last backward (weakly) and its version
        self._grad_marks: list[GradMark] = []
        self._param_ids: set[int] = set()
        #: ids of the grad-requiring tensors that module attributes held at the last rescan
        self._held: set[int] = set()
        self._params_dirty = True
        self._model_ids: set[int] = set()
        self._optimizers: "weakref.WeakSet[torch.optim.Optimizer]" = weakref.WeakSet()
        self._t0 = 0.0
        self._own_time = 0.0
        self._error: dict[str, Any] | None = None

    # -- public API ---------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        """The ranked findings (empty until the session has ended)."""
        return self.verdict.findings if self.verdict else []

    @property
    def steps(self) -> int:
        """Optimizer steps completed so far."""
        return self._step

    def __enter__(self) -> "Session":
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            self.finish("completed")
            return False
        if isinstance(exc, MaxStepsReached):
            self.finish("max_steps")
            return True
        if isinstance(exc, KeyboardInterrupt):
            self.finish("interrupted")
            return False
        self.record_error(exc)
        self.finish("crashed")
        return False

    def start(self) -> None:
        """Create the output folder, open the store and install the hooks."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        metrics = self.out_dir / "metrics.jsonl"
        metrics.unlink(missing_ok=True)
        self._store = MetricStore(metrics)
        self._store.append(
            {
                "kind": "meta",
                "traindebug_version": __version__,
                "script": self.script,
                "argv": self.argv,
                "python": platform.python_version(),
                "torch": torch.__version__,
                "preset": self.run.settings.preset,
                "started": _dt.datetime.now().isoformat(timespec="seconds"),
            }
        )
        self._probes = collect_probes(self._pm, self.run.settings)
        for probe in self._probes:
            override = self.run.settings.schedules.get(probe.name)
            if override is not None:
                probe.schedule = override
        self._listeners = {hook: [p for p in self._probes if _implements(p, hook)] for hook in HOOKS}
        if self._given_model is not None:
            self._add_model(self._given_model)
        if self._given_optimizer is not None:
            self.on_optimizer_created(self._given_optimizer)
        self._ctx = self._new_ctx()
        self._t0 = time.perf_counter()
        self._terminal.start(self.script, self.out_dir)
        self._capture.install()

    def record_error(self, exc: BaseException) -> None:
        """Keep an exception of the user's code for the ``script_error`` finding."""
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__)
            if "/traindebug/" not in f.filename and "runpy" not in f.filename
        ]
        user = [f for f in frames if "site-packages" not in f.filename and "/lib/python" not in f.filename]
        where = f"{user[-1].filename}:{user[-1].lineno}" if user else None
        start = max(i for i, f in enumerate(frames) if f in user) if user else len(frames) - 1
        last = (frames[max(start - 2, 0) : start + 1] + frames[start + 1 :][-3:]) if frames else []
        self._error = {
            "kind": "script_error",
            "step": self._step,
            "type": type(exc).__name__,
            "message": str(exc)[:2000],
            "where": where,
            "frames": [
                {"file": f.filename, "line": f.lineno, "function": f.name, "code": f.line or ""}
                for f in last
            ],
        }

    def finish(self, status: str) -> Verdict:
        """Remove the hooks, write every output, and judge the run."""
        if self.verdict is not None:
            return self.verdict
        self._capture.remove()
        self.status = status
        assert self._store is not None
        self.busy = True
        try:
            if self._pending:
                try:
                    self._complete_step()
                except MaxStepsReached:
                    pass
            for probe in self._probes:
                self._call(probe.finish, self.run, self._store.append)
            if self._error:
                self._store.append(self._error)
            wall = time.perf_counter() - self._t0
            self._store.append(
                {
                    "kind": "end",
                    "status": status,
                    "steps": self._step,
                    "backward_passes": self._backward_total,
                    "wall_time_s": round(wall, 3),
                    "overhead_s": round(self._own_time, 3),
                    "device": str(self.run.device),
                    "models": [type(m).__name__ for m in self.run.models],
                    "optimizers": [type(o).__name__ for o in self.run.optimizers],
                    "optimizer_stepped": self._optimizer_steps_seen,
                }
            )
            self._store.close()
        finally:
            self.busy = False
        self.verdict = judge(self.out_dir, self._pm)
        write_outputs(self.out_dir, self.verdict, self._pm, pdf=self.pdf)
        self._terminal.finish(self.verdict, self.out_dir)
        return self.verdict

    # -- observer events (called by capture) -----------------------------------
    def before_root_forward(self, module: nn.Module) -> None:
        """An outermost module forward begins: a new step may begin with it."""
        self._training_forward = torch.is_grad_enabled() and not isinstance(module, nn.modules.loss._Loss)
        if not self._training_forward:
            return
        with self._timed():
            if id(module) not in self._model_ids and _has_trainable(module):
                self._add_model(module)
            if id(module) in self._model_ids:
                self._maybe_complete_step()
                if not self._started:
                    self._start_probes(None)

    def on_forward(self, module: nn.Module, args: tuple, kwargs: dict, output: Any, root: bool) -> None:
        """A module's forward finished."""
        if isinstance(module, nn.modules.loss._Loss):
            return
        if not torch.is_grad_enabled():
            if not self._started:
                return
            if root or not self._training_forward:
                for probe in self._listeners["on_eval_forward"]:
                    self._call(probe.on_eval_forward, self._ctx, module, args)
                return
            # inside a training forward: a solver iterated without a graph, not an evaluation
            for probe in self._listeners["on_detached_forward"]:
                if probe.schedule.due(self._ctx.step):
                    self._call(probe.on_detached_forward, self._ctx, module)
            return
        with self._timed():
            if root and id(module) in self._model_ids:
                self._ctx.batch = Batch(module, args, kwargs, output)
            if not self._started:
                return
            ctx = self._ctx
            with torch.no_grad():  # a probe's own ops must not join the user's graph (or a checkpoint's saved tensors)
                for probe in self._listeners["on_forward"]:
                    if probe.wants_forward and probe.schedule.due(ctx.step):
                        self._call(probe.on_forward, ctx, module, args, output)

    def on_loss_call(self, name: str, fn: Callable, args: tuple, kwargs: dict, output: Any) -> None:
        """A torch loss function returned."""
        if not isinstance(output, torch.Tensor):
            return
        with self._timed():
            options = _named_options(fn, args, kwargs)
            call = LossCall(
                name=name,
                fn=fn,
                input=args[0],
                target=args[1] if len(args) > 1 else options.pop("target", None),
                kwargs=options,
                output=output.detach(),
                training=torch.is_grad_enabled() and output.requires_grad,
            )
            if call.training:
                self._maybe_complete_step()  # a model without nn.Module starts its step here
                self._ctx.loss_call = call
            with torch.no_grad():
                for probe in self._listeners["on_loss_call"]:
                    self._call(probe.on_loss_call, self._ctx, call)

    def before_backward(self, loss: torch.Tensor) -> bool:
        """A backward pass is about to run on ``loss``; True: a probe asks it to keep its graph."""
        with self._timed():
            self._maybe_complete_step()
            if not self._started:
                self._start_probes(loss)
            ctx = self._ctx
            ctx.loss = loss.detach()
            ctx.losses.append(ctx.loss)
            ctx.keep_graph = False
            ctx.backward_root = loss
            try:
                self._run_hook("before_backward", ctx)
            finally:
                ctx.backward_root = None  # not kept alive past its backward
            return ctx.keep_graph

    def trains(self, tensors: tuple[torch.Tensor, ...]) -> bool:
        """Whether gradients with respect to ``tensors`` are a training step's: they include an
        ``nn.Parameter`` or an observed trainable tensor, or none is known yet (a model of plain
        tensors, before its first step). Not: an input's gradient (a saliency map)."""
        known = {id(p) for _, p in self.run.params}
        return not known or any(isinstance(t, nn.Parameter) or id(t) in known for t in tensors)

    def after_backward(self, loss: torch.Tensor, returned: list[tuple[torch.Tensor, torch.Tensor]] | None = None) -> None:
        """A backward pass finished (``returned``: the gradients ``torch.autograd.grad`` gave
        the script, with their tensors)."""
        with self._timed():
            ctx = self._ctx
            ctx.backward_count += 1
            self._backward_total += 1
            ctx.returned_grads.update((id(t), (t, g)) for t, g in returned or ())
            with _lent_grads(ctx):
                self._run_hook("after_backward", ctx)
                if not self._optimizer_steps_seen and not self._in_optimizer_step:
                    # No optimizer has stepped yet: treat this backward as a manual step
                    # until an optimizer shows up (then before_step runs again).
                    ctx.manual = True
                    if self._params_dirty:
                        self._refresh_params()
                    self._run_hook("before_step", ctx)
                    self._pending = True
                    self._versions = [p._version for _, p in self.run.params]
            if ctx.manual:
                self._grad_marks = grad_marks(self.run.params)

    def on_optimizer_created(self, optimizer: torch.optim.Optimizer) -> None:
        """An optimizer was constructed."""
        if optimizer not in self._optimizers:
            self._optimizers.add(optimizer)
            self.run.optimizers.append(optimizer)
            self._params_dirty = True

    def before_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None:
        """An optimizer is about to step."""
        self._in_optimizer_step += 1
        if self._in_optimizer_step > 1:
            return
        with self._timed():
            self.on_optimizer_created(optimizer)
            ctx = self._ctx
            if self._pending and ctx.manual:
                self._pending = False  # the speculative manual step was an optimizer step
            elif self._pending and id(optimizer) in self._stepped:
                self._complete_step()  # same optimizer again: a new step (L-BFGS loops)
            if self._pending:
                return  # a second optimizer in the same step
            if not self._started:
                self._start_probes(None)
            ctx = self._ctx
            ctx.manual = False
            if self._params_dirty:
                self._refresh_params()
            self._run_hook("before_step", ctx)

    def after_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None:
        """An optimizer finished its step; the step completes at the next event."""
        self._in_optimizer_step = max(self._in_optimizer_step - 1, 0)
        if self._in_optimizer_step:
            return
        self._optimizer_steps_seen = True
        self._pending = True
        self._stepped.add(id(optimizer))

    def on_function_call(self, function: type, args: tuple, kwargs: dict) -> None:
        """The user's custom autograd Function ran: its first call is kept for the gradient check."""
        if function in self.run.functions or len(self.run.functions) >= MAX_FUNCTIONS:
            return
        tensors = [t for t in (*args, *kwargs.values()) if isinstance(t, torch.Tensor)]
        if any(t.numel() > MAX_FUNCTION_NUMEL for t in tensors) or not any(t.requires_grad for t in tensors):
            return

        def kept(value: Any) -> Any:
            if not isinstance(value, torch.Tensor):
                return value
            return value.detach().clone().requires_grad_(value.requires_grad and value.is_floating_point())

        self.run.functions[function] = (tuple(kept(a) for a in args), {k: kept(v) for k, v in kwargs.items()})

    def on_clip(self, total_norm: torch.Tensor, max_norm: float) -> None:
        """clip_grad_norm_ was called."""
        self._ctx.record("clip_total_norm", total_norm.detach())
        self._ctx.record("clip_max_norm", max_norm)
        # after this step's optimizer update (or before any backward of the step): it clips
        # gradients that no update will use. Before an optimizer has stepped, each backward is
        # taken for a manual step (pending) that has not updated anything yet.
        ctx = self._ctx
        ctx.record("clip_after_update", float((self._pending and not ctx.manual) or ctx.backward_count == 0))

    # -- internals ----------------------------------------------------------
    def _timed(self) -> "_Timer":
        return _Timer(self)

    def _new_ctx(self) -> StepContext:
        assert self._store is not None
        return StepContext(self.run, self._step, self._store.append)

    def _start_probes(self, loss: torch.Tensor | None) -> None:
        if loss is not None and not self.run.optimizers and all(id(m) in self._functional_models for m in self.run.models):
            self._add_graph_leaves(loss)
            self._params_dirty = True
        if self._params_dirty:
            self._refresh_params()
        if not self.run.params and loss is None:
            return  # nothing trainable seen yet; wait for the first backward
        self._started = True
        for probe in self._probes:
            self._call(probe.setup, self.run)

    def _maybe_complete_step(self) -> None:
        """Complete a pending step when the next one begins."""
        if not self._pending:
            return
        if self._ctx.manual and not self._params_changed() and not self._grads_reset():
            return  # manual loop accumulating gradients: still the same step
        self._complete_step()

    def _complete_step(self) -> None:
        ctx = self._ctx
        self._pending = False
        self._stepped.clear()
        with _lent_grads(ctx):
            self._run_hook("after_step", ctx)
        self._write_step(ctx)
        self._step += 1
        self._ctx = self._new_ctx()
        if self._step % PARAMS_RESCAN_STEPS == 0:
            self._params_dirty = True
        if self.max_steps is not None and self._step >= self.max_steps:
            raise MaxStepsReached()

    def _write_step(self, ctx: StepContext) -> None:
        record: dict[str, Any] = {"kind": "step", "step": ctx.step, "backward_passes": ctx.backward_count}
        if ctx.losses:
            record["loss"] = ctx.losses[0] if len(ctx.losses) == 1 else torch.stack(ctx.losses).float().mean()
        record.update(ctx.record_data)
        assert self._store is not None
        self._store.append(record)
        self._terminal.step(ctx.step, self._store)

    def _run_hook(self, hook: str, ctx: StepContext) -> None:
        for probe in self._listeners[hook]:
            if probe.schedule.due(ctx.step):
                self._call(getattr(probe, hook), ctx)

    def on_internal_error(self, event: str, exc: Exception) -> None:
        """traindebug's own handling of an event failed: recorded, and the script goes on."""
        if self._store is not None:
            self._store.append({"kind": "probe_error", "probe": f"session.{event}", "step": self._step,
                                "error": f"{type(exc).__name__}: {exc}"})

    def _call(self, fn: Callable, *args: Any) -> None:
        """Run a probe hook; a probe that fails is recorded, never the user's problem."""
        was_busy, self.busy = self.busy, True
        try:
            fn(*args)
        except (MaxStepsReached, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a broken probe must not break the run
            name = getattr(getattr(fn, "__self__", None), "name", getattr(fn, "__qualname__", "?"))
            if self._store is not None:
                self._store.append(
                    {"kind": "probe_error", "probe": name, "step": self._step, "error": f"{type(exc).__name__}: {exc}"}
                )
        finally:
            self.busy = was_busy

    def _params_changed(self) -> bool:
        return any(p._version != v for (_, p), v in zip(self.run.params, self._versions))

    def _grads_reset(self) -> bool:
        """Whether a gradient of the last backward was reset or replaced since (a manual loop's
        ``model.zero_grad()``): the step is over even if the parameters' versions did not
        change, as with an update written through ``p.data``, which has a version of its own."""
        return any(mark[0] is not None and not same_grad(mark, p.grad)
                   for mark, (_, p) in zip(self._grad_marks, self.run.params))

    def _add_model(self, model: nn.Module) -> None:
        self._model_ids.add(id(model))
        self.run.models.append(model)
        prefix = "" if len(self.run.models) == 1 else f"model{len(self.run.models) - 1}."
        for name, module in model.named_modules():
            self.run.module_names.setdefault(id(module), prefix + name if name else prefix + type(module).__name__)
        self._params_dirty = True

    def _add_graph_leaves(self, loss: torch.Tensor) -> None:
        """Functional models without optimizer: the trainable leaves of the graph, in depth order
        as ``model.parameters()`` would list them: farthest from the loss (the input side) first."""
        distance: dict[int, int] = {}
        queue = collections.deque([(loss.grad_fn, 0)] if loss.grad_fn is not None else [])
        leaves: list[tuple[int, int, torch.Tensor]] = []  # (-distance, found, leaf)
        while queue:
            node, d = queue.popleft()
            if node is None or id(node) in distance:
                continue
            distance[id(node)] = d
            variable = getattr(node, "variable", None)
            if isinstance(variable, torch.Tensor) and variable.requires_grad:
                leaves.append((-d, len(leaves), variable))
            queue.extend((fn, d + 1) for fn, _ in node.next_functions)
        self._graph_leaves = [leaf for *_, leaf in sorted(leaves, key=lambda e: e[:2])]

    def _refresh_params(self) -> None:
        """Extend the observed tensor list with new models' and optimizers' tensors."""
        self._params_dirty = False
        added: list[tuple[str, nn.Parameter]] = []

        def add(name: str, p: torch.Tensor) -> None:
            if id(p) not in self._param_ids and p.requires_grad:
                self._param_ids.add(id(p))
                added.append((name, p))  # type: ignore[arg-type]

        held: set[int] = set()
        for i, model in enumerate(self.run.models):
            prefix = "" if i == 0 else f"model{i}."
            named = list(model.named_parameters())
            # inside torch.func.functional_call the module holds the caller's plain tensors in place
            # of its parameters; such a model's weights are whatever the caller passes (a dict it
            # updates by hand: the graph's leaves; per-task copies of the weights an optimizer holds)
            if any(not isinstance(p, nn.Parameter) for _, p in named):
                self._functional_models.add(id(model))
                if not self._started:  # the graph's leaves are named once, when the probes start
                    self._functional_names.update((id(p), prefix + name) for name, p in named)
            if id(model) not in self._functional_models:
                for name, p in named:
                    add(prefix + name, p)
            # only a tensor still held at the next rescan is state like a parameter; one replaced
            # every step (an input kept for inspection) would read as never updated
            for name, p in _unregistered_tensors(model):
                held.add(id(p))
                if id(p) in self._held:
                    add(prefix + name, p)
        self._held = held
        for i, opt in enumerate(self.run.optimizers):
            for g, group in enumerate(opt.param_groups):
                for j, p in enumerate(group["params"]):
                    add(f"optimizer{i}.group{g}.param{j}", p)
        for j, p in enumerate(self._graph_leaves):
            add(self._functional_names.get(id(p), f"leaf{j}"), p)
        if not added:
            return
        self.run.params.extend(added)
        optimized = {id(q) for o in self.run.optimizers for g in o.param_groups for q in g["params"]}
        self._versions = [p._version for _, p in self.run.params]
        assert self._store is not None
        self._store.append(
            {
                "kind": "tensors",
                "step": self._step,
                "names": [n for n, _ in self.run.params],
                "shapes": [list(p.shape) for _, p in self.run.params],
                "in_optimizer": [id(p) in optimized for _, p in self.run.params],
            }
        )
        if self._started:
            for probe in self._probes:
                self._call(probe.on_params_added, self.run)


def _unregistered_tensors(model: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """Leaf tensors that require grad, held as plain module attributes instead of registered
    parameters (``self.scale = torch.ones(1, requires_grad=True)``), or in plain lists, tuples
    and dicts of tensors or modules (``self.embs = [nn.Embedding(...)]`` instead of a ModuleList):
    ``model.parameters()``, and so an optimizer built from it, never sees them, yet the backward
    fills their ``.grad``."""
    found: list[tuple[str, torch.Tensor]] = []
    for name, module in model.named_modules():
        for attr, value in vars(module).items():
            if attr in _MODULE_INTERNALS:
                continue  # nn.Module's own registries (_parameters, _modules, hooks)
            where = f"{name}.{attr}" if name else attr
            if _is_plain_leaf(value):
                found.append((where, value))
            for path, item in _contained(where, value):
                if isinstance(item, nn.Module):
                    found += [(f"{path}.{n}", p) for n, p in item.named_parameters() if p.requires_grad]
                elif _is_plain_leaf(item):
                    found.append((path, item))
    return found


#: a plain container attribute longer than this holds data (a history, a cache), not layers:
#: its items are not searched for tensors at each rescan
MAX_CONTAINER_ITEMS = 256


def _contained(where: str, value: Any) -> list[tuple[str, Any]]:
    """(path, item) of the items of a plain dict, list or tuple attribute of at most
    MAX_CONTAINER_ITEMS items; none for anything else."""
    if not isinstance(value, (dict, list, tuple)) or len(value) > MAX_CONTAINER_ITEMS:
        return []
    if isinstance(value, dict):
        return [(f"{where}.{key}", item) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [(f"{where}.{i}", item) for i, item in enumerate(value)]
    return []


_MODULE_INTERNALS = frozenset(vars(nn.Module()))


def _is_plain_leaf(value: Any) -> bool:
    return isinstance(value, torch.Tensor) and not isinstance(value, nn.Parameter) and value.requires_grad and value.is_leaf


def _implements(probe: Probe, hook: str) -> bool:
    """Whether a probe overrides one of the base class's (empty) hooks."""
    return getattr(type(probe), hook) is not getattr(Probe, hook)


def _has_trainable(module: nn.Module) -> bool:
    return any(p.requires_grad for p in module.parameters())


@contextlib.contextmanager
def _lent_grads(ctx: StepContext) -> Iterator[None]:
    """While probes run, the gradients ``torch.autograd.grad`` returned to the script sit in
    their tensors' ``.grad`` (where probes read gradients); afterwards ``.grad`` is None again,
    as the script left it."""
    lent = [(t, g) for t, g in ctx.returned_grads.values() if t.grad is None]
    for t, g in lent:
        t.grad = g
    try:
        yield
    finally:
        for t, _ in lent:
            t.grad = None


class _Timer:
    """Adds the time spent inside a session handler to the session's overhead."""

    __slots__ = ("session", "t")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.t = 0.0

    def __enter__(self) -> None:
        self.t = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.session._own_time += time.perf_counter() - self.t


def _named_options(fn: Callable, args: tuple, kwargs: dict) -> dict[str, Any]:
    """A loss call's arguments after input and target, by name (``var`` of
    ``gaussian_nll_loss(input, target, var)``), so that probes can replay the call."""
    if len(args) <= 2:
        return dict(kwargs)
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return dict(kwargs)
    names = list(bound.arguments)
    return {k: v for k, v in bound.arguments.items() if k not in names[:2]}

"""Learning-rate range test: find the divergent learning rate eta*.

The learning rate grows exponentially from ``start_lr`` to ``end_lr`` over a
bounded number of optimizer steps (Smith 2017, "Cyclical Learning Rates for
Training Neural Networks"; fastai's ``lr_find``) while the training loss is
recorded. The loss is smoothed by a trailing median over ``LR_FIND_WINDOW``
steps (fastai's exponential average with beta = 0.98 lags by tens of steps,
which over a 100-step range is more than a decade of learning rate); the
**divergent learning rate eta*** is the first rate whose smoothed loss exceeds
``LR_FIND_DIVERGENCE_FACTOR`` times the lowest smoothed loss so far (fastai's
rule), or ``LOSS_DIVERGENCE_FACTOR`` times the loss at the start of the range
(all progress undone and more: a classifier whose units die after the blow-up
falls back towards chance level and may never reach 4x its minimum), or that
produced a non-finite loss. The suggestions are eta*/2 (train at half the
divergent rate, as in seed 004) and the rate of steepest descent of the
smoothed loss. When the loss never diverges in the range, no eta* is made up:
the result says that eta* lies above the largest rate tried.

Two entry points:

- ``lr_find(model, optimizer, loss_fn, data_loader)`` from Python: runs on deep
  copies, so the caller's model, optimizer state and global RNG are untouched.
- ``lr_find_script(script, argv)``: runs the user's unmodified script as a
  throwaway run; at each optimizer step it overrides the learning rate of every
  param group with the schedule's value, and it stops the script once the loss
  diverged or after ``max_steps`` steps. The script itself is not changed (but
  what it writes while it runs, it writes).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import io
import json
import math
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import torch
from torch import nn

from traindebug import thresholds as T
from traindebug.capture import Capture
from traindebug.isolation import rng_preserved
from traindebug.session import MaxStepsReached

DIVERGENCE_RULE = (
    f"smoothed loss (trailing median of {T.LR_FIND_WINDOW} steps) above {T.LR_FIND_DIVERGENCE_FACTOR:g}x its "
    f"lowest value or {T.LOSS_DIVERGENCE_FACTOR:g}x its starting value, or a non-finite loss"
)
#: fastai's default range (``lr_find(start_lr=1e-7, end_lr=10)``)
START_LR = 1e-7
END_LR = 10.0


@dataclass
class RangeTestResult:
    """What a range test measured and what it concludes."""

    lrs: list[float]  # the learning rate of the update that preceded each loss
    losses: list[float]  # the training loss after that update
    smoothed: list[float]  # debiased exponential moving average of the losses
    start_lr: float
    end_lr: float
    steps: int  # planned steps
    divergent_lr: float | None = None  # eta*
    suggested_lr: float | None = None  # eta* / 2
    steepest_lr: float | None = None  # steepest descent of the smoothed loss
    stopped: str = ""  # why the test ended
    notes: list[str] = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        """Whether the loss diverged inside the range."""
        return self.divergent_lr is not None

    def statement(self) -> str:
        """The conclusion in one or two sentences."""
        if self.diverged:
            text = (
                f"The loss diverged at lr = {self.divergent_lr:.3g} (eta*: {DIVERGENCE_RULE}). "
                f"Train at eta*/2 = {self.suggested_lr:.3g}"
            )
            if self.steepest_lr is not None:
                text += f"; the loss fell fastest at lr = {self.steepest_lr:.3g}"
            return text + "."
        top = self.lrs[-1] if self.lrs else self.start_lr
        text = (
            f"The loss never diverged: up to lr = {top:.3g} (the largest rate tried) the smoothed loss stayed below "
            f"{T.LR_FIND_DIVERGENCE_FACTOR:g}x its minimum and {T.LOSS_DIVERGENCE_FACTOR:g}x its starting value, "
            f"so eta* is above {top:.3g} and no eta* can be given; "
        )
        if top < self.end_lr * 0.999:
            text += "the test ended before the end of the range (see 'stopped'); give it more steps."
        else:
            text += "widen the range (a larger end_lr) to find it."
        if self.steepest_lr is not None:
            text += f" The loss fell fastest at lr = {self.steepest_lr:.3g}."
        return text

    def to_json(self) -> dict[str, Any]:
        """The JSON document written to lr_find.json."""
        doc = asdict(self)
        doc["diverged"] = self.diverged
        doc["statement"] = self.statement()
        doc["divergence_rule"] = f"first lr with {DIVERGENCE_RULE}"
        doc["losses"] = [_json_float(v) for v in self.losses]
        doc["smoothed"] = [_json_float(v) for v in self.smoothed]
        return doc


def _json_float(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


class RangeTest:
    """The schedule and the divergence test, fed one (lr, loss) pair per step."""

    def __init__(self, start_lr: float = START_LR, end_lr: float = END_LR, steps: int = 100) -> None:
        if not 0 < start_lr < end_lr:
            raise ValueError(f"lr-find needs 0 < start_lr < end_lr, got {start_lr:g} and {end_lr:g}")
        if steps < 2:
            raise ValueError("lr-find needs at least 2 steps")
        self.start_lr, self.end_lr, self.steps = start_lr, end_lr, steps
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.divergent_lr: float | None = None

    def lr(self, step: int) -> float:
        """The learning rate of update ``step`` (0-based): exponential from start to end."""
        return self.start_lr * (self.end_lr / self.start_lr) ** (min(step, self.steps - 1) / (self.steps - 1))

    def add(self, lr: float, loss: float) -> bool:
        """Record the loss after an update with ``lr``; True once the loss diverged."""
        self.lrs.append(lr)
        self.losses.append(loss)
        if not math.isfinite(loss):
            self.smoothed.append(math.nan)
            self.divergent_lr = lr
            return True
        smooth = statistics.median(self.losses[-T.LR_FIND_WINDOW :])  # all earlier losses were finite
        self.smoothed.append(smooth)
        best = min(self.smoothed)
        # the starting value: the median of the first full window
        start = self.smoothed[T.LR_FIND_WINDOW - 1] if len(self.smoothed) >= T.LR_FIND_WINDOW else math.inf
        if smooth > T.LR_FIND_DIVERGENCE_FACTOR * best or smooth > T.LOSS_DIVERGENCE_FACTOR * start:
            self.divergent_lr = lr
            return True
        return False

    def result(self, stopped: str, notes: list[str] | None = None) -> RangeTestResult:
        """The measured curve and its reading."""
        return RangeTestResult(
            lrs=list(self.lrs),
            losses=list(self.losses),
            smoothed=list(self.smoothed),
            start_lr=self.start_lr,
            end_lr=self.end_lr,
            steps=self.steps,
            divergent_lr=self.divergent_lr,
            suggested_lr=None if self.divergent_lr is None else self.divergent_lr / 2,
            steepest_lr=steepest_lr(self.lrs, self.smoothed),
            stopped=stopped,
            notes=list(notes or []),
        )


def steepest_lr(lrs: list[float], smoothed: list[float]) -> float | None:
    """The rate where the smoothed loss falls fastest per decade of lr, before its minimum.

    The first tenth of the curve is skipped (the rate barely changes the loss there).
    """
    finite = [(lr, v) for lr, v in zip(lrs, smoothed) if math.isfinite(v)]
    if len(finite) < 5:
        return None
    low = min(range(len(finite)), key=lambda i: finite[i][1])
    first = max(1, len(finite) // 10)
    best, slope = None, 0.0
    for i in range(first, low + 1):
        (lr0, v0), (lr1, v1) = finite[i - 1], finite[i]
        s = (v1 - v0) / (math.log10(lr1) - math.log10(lr0))
        if s < slope:
            best, slope = lr1, s
    return best


# -- from Python --------------------------------------------------------------------------


def lr_find(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    data_loader: Iterable[Any],
    *,
    start_lr: float = START_LR,
    end_lr: float = END_LR,
    steps: int = 100,
) -> RangeTestResult:
    """Range test on deep copies of ``model`` and ``optimizer``; the originals are not touched.

    ``data_loader`` yields ``(inputs, targets)`` (it is cycled if shorter than
    ``steps``); ``loss_fn(model(inputs), targets)`` is the training loss. The
    global RNG state is restored afterwards (shuffling and dropout draw from it).
    """
    test = RangeTest(start_lr, end_lr, steps)
    model_copy, opt_copy = copy.deepcopy((model, optimizer))
    ratios = _group_ratios(opt_copy)
    stopped = f"reached the planned {steps} steps"
    with rng_preserved():
        batches = _cycle(data_loader)
        for step in range(steps + 1):
            inputs, targets = _split_batch(next(batches))
            opt_copy.zero_grad()
            loss = loss_fn(model_copy(inputs), targets)
            if step > 0 and test.add(test.lr(step - 1), float(loss.detach())):
                stopped = f"the loss diverged after {step} steps"
                break
            if step == steps:
                break
            loss.backward()
            _set_lr(opt_copy, test.lr(step), ratios)
            opt_copy.step()
    return test.result(stopped)


def _cycle(loader: Iterable[Any]) -> Any:
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("lr_find: the data loader yielded no batch")


def _split_batch(batch: Any) -> tuple[Any, Any]:
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    raise TypeError(f"lr_find: batches must be (inputs, targets) pairs, got {type(batch).__name__}")


def _group_ratios(optimizer: torch.optim.Optimizer) -> list[float]:
    """Each param group's lr relative to the first one (kept during the test)."""
    base = float(optimizer.param_groups[0]["lr"]) or 1.0
    return [float(g["lr"]) / base if base else 1.0 for g in optimizer.param_groups]


def _set_lr(optimizer: torch.optim.Optimizer, lr: float, ratios: list[float]) -> None:
    for group, ratio in zip(optimizer.param_groups, ratios):
        group["lr"] = lr * ratio


# -- on a script ----------------------------------------------------------------------------


class _StopScript(MaxStepsReached):
    """Ends the user's script once the range test is done (not catchable by ``except Exception``)."""


class _ScriptRangeTest:
    """Session stand-in for ``runner.run_script``: overrides lr at every optimizer step.

    It receives the capture's events like a Session does, but it only records
    the loss of each step and sets the schedule's learning rate.
    """

    busy = False

    def __init__(self, test: RangeTest) -> None:
        self.test = test
        self.optimizer: torch.optim.Optimizer | None = None
        self.ratios: list[float] = []
        self.updates = 0  # optimizer steps taken with a schedule lr
        self.other_optimizers = 0
        self.stopped = ""
        self.error: BaseException | None = None
        self._pending: list[torch.Tensor] = []
        self._depth = 0
        self._capture = Capture(self)

    # the runner's side of a Session
    def start(self) -> None:
        self._capture.install()

    def record_error(self, exc: BaseException) -> None:
        self.error = exc

    def finish(self, status: str) -> str:
        self._capture.remove()
        if not self.stopped and self.updates:
            try:
                self._record()
            except _StopScript:
                pass
        return status

    # capture events the range test does not need
    def before_root_forward(self, module: nn.Module) -> None: ...
    def on_forward(self, module: nn.Module, args: tuple, kwargs: dict, output: Any, root: bool) -> None: ...
    def on_loss_call(self, name: str, fn: Callable, args: tuple, kwargs: dict, output: Any) -> None: ...
    def after_backward(self, loss: torch.Tensor) -> None: ...
    def on_optimizer_created(self, optimizer: torch.optim.Optimizer) -> None: ...
    def on_clip(self, total_norm: torch.Tensor, max_norm: float) -> None: ...
    def on_function_call(self, function: type, args: tuple, kwargs: dict) -> None: ...

    def trains(self, tensors: tuple[torch.Tensor, ...]) -> bool:
        return True

    def on_internal_error(self, event: str, exc: Exception) -> None:
        """The range test's own handling of an event failed: it stops, and the script goes on."""
        self.stopped = self.stopped or f"traindebug failed in {event}: {type(exc).__name__}: {exc}"

    def before_backward(self, loss: torch.Tensor) -> None:
        if loss.numel() != 1:
            return
        value = loss.detach().float().reshape(())
        self._pending.append(value)
        if self.updates and not bool(torch.isfinite(value)):
            self._record()

    def before_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None:
        self._depth += 1
        if self._depth > 1:
            return
        if self.optimizer is None:
            self.optimizer, self.ratios = optimizer, _group_ratios(optimizer)
        if optimizer is not self.optimizer:
            self.other_optimizers += 1
            return
        if self.updates:
            self._record()
        if self.updates >= self.test.steps:
            self.stopped = f"reached the planned {self.test.steps} steps"
            raise _StopScript()
        _set_lr(optimizer, self.test.lr(self.updates), self.ratios)
        self.updates += 1

    def after_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None:
        self._depth = max(self._depth - 1, 0)

    def _record(self) -> None:
        """Pair the losses seen since the last update with that update's lr."""
        if not self._pending:
            return
        loss = float(torch.stack([p.to(self._pending[0].device) for p in self._pending]).mean())
        self._pending = []
        if self.test.add(self.test.lr(self.updates - 1), loss):
            self.stopped = f"the loss diverged after {self.updates} steps"
            raise _StopScript()


def run_range_test_on_script(
    script: Path, argv: list[str], *, max_steps: int = 100, start_lr: float = START_LR, end_lr: float = END_LR,
    output: Any = None,
) -> RangeTestResult:
    """Run ``script`` once (as ``traindebug check`` does) under the range test.

    The script's standard output goes to ``output`` (discarded if None). Raises
    ``LrFindProblem`` when nothing could be measured (no optimizer step, or the
    script failed before the loss after its first update was seen).
    """
    from traindebug.runner import run_script

    test = RangeTest(start_lr, end_lr, max_steps)
    observer = _ScriptRangeTest(test)
    with contextlib.redirect_stdout(output if output is not None else io.StringIO()):
        status = run_script(script, argv, observer)  # type: ignore[arg-type]  # a Session stand-in
    error = observer.error
    cause = f" (it raised {type(error).__name__}: {error})" if error is not None else ""
    if observer.optimizer is None:
        raise LrFindProblem(f"{script} made no torch.optim optimizer step{cause}: lr-find needs one to set the learning rate")
    if not test.losses:
        raise LrFindProblem(f"{script} ended before the loss after its first update could be measured{cause}")
    notes: list[str] = []
    if error is not None:
        notes.append(f"The script raised {type(error).__name__}: {str(error)[:300]}")
    if observer.other_optimizers:
        notes.append("The script steps more than one optimizer; only the first one's learning rate was varied.")
    if any(r != 1.0 for r in observer.ratios):
        notes.append("The param groups have different learning rates; their ratios were kept and the rates "
                     "given are those of the first group.")
    stopped = observer.stopped or f"the script {'crashed' if status == 'crashed' else 'ended'} after {observer.updates} steps"
    return test.result(stopped, notes)


class LrFindProblem(Exception):
    """The range test could not measure anything on this script."""


def lr_find_script(script: Path, argv: list[str], *, max_steps: int = 100, out: Path | None = None) -> int:
    """`traindebug lr-find`: range test on a script; writes lr_find.json and lr_find.png.

    Returns the exit code: 0 when the test ran (diverged or not), 2 when it could not run.
    """
    from traindebug.runner import ScriptProblem

    if max_steps < 2:
        print("traindebug: --max-steps must be at least 2 for lr-find", file=sys.stderr)
        return 2
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = Path(out) if out else Path("traindebug-runs") / f"{Path(script).stem}-lr-find-{stamp}"
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / "script_output.txt"
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            result = run_range_test_on_script(Path(script), list(argv), max_steps=max_steps, output=log)
    except (LrFindProblem, ScriptProblem) as exc:
        print(f"traindebug: {exc}", file=sys.stderr)
        return 2
    doc = {"script": str(script), "argv": list(argv), **result.to_json()}
    (out_dir / "lr_find.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    plot_range_test(result, out_dir / "lr_find.png")
    print(result.statement())
    for note in result.notes:
        print(f"note: {note}")
    print(f"{len(result.losses)} steps, {result.stopped}; plot and data in {out_dir} (script output: {log_path.name})")
    return 0


def plot_range_test(result: RangeTestResult, path: Path) -> None:
    """Loss against learning rate (log scale), with eta*, eta*/2 and the steepest rate marked."""
    from traindebug.logbook.style import new_figure, save

    fig, ax = new_figure()
    pairs = [(lr, v) for lr, v in zip(result.lrs, result.losses) if math.isfinite(v)]
    if pairs:
        ax.plot([p[0] for p in pairs], [p[1] for p in pairs], lw=0.8, alpha=0.4, label="loss")
    smooth = [(lr, v) for lr, v in zip(result.lrs, result.smoothed) if math.isfinite(v)]
    if smooth:
        ax.plot([p[0] for p in smooth], [p[1] for p in smooth], lw=1.5, label=f"smoothed (median of {T.LR_FIND_WINDOW} steps)")
        low = min(p[1] for p in smooth)
        top = max(p[1] for p in smooth)
        ax.set_ylim(min(p[1] for p in pairs) * 0.95 if pairs else low, max(top, low * T.LR_FIND_DIVERGENCE_FACTOR) * 1.05)
    marks = [
        (result.divergent_lr, "tab:red", "η* (diverges)"),
        (result.suggested_lr, "tab:green", "η*/2"),
        (result.steepest_lr, "tab:purple", "steepest descent"),
    ]
    for value, color, label in marks:
        if value is not None:
            ax.axvline(value, color=color, ls="--", lw=1, label=f"{label} = {value:.3g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("training loss")
    ax.set_title(result.statement() if len(result.statement()) < 90 else "learning-rate range test", fontsize=8)
    ax.legend(fontsize=7)
    save(fig, path)

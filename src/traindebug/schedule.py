"""When a probe runs: every k steps, the first n steps, log-spaced, or never."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    """A set of step indices (0-based optimizer steps).

    A step is due when any part says so: it is among the first ``first`` steps,
    it is a multiple of ``every`` (0 disables) or one of the ``span - 1`` steps after
    one, or it lies on a log-spaced grid with ``per_decade`` points per decade (0 disables).
    """

    first: int = 0
    every: int = 0
    per_decade: int = 0
    #: each multiple of ``every`` starts a run of this many steps (2: the step after it too)
    span: int = 1

    def due(self, step: int) -> bool:
        """Whether the probe should run at ``step``."""
        if step < self.first:
            return True
        if self.every and step % self.every < self.span:
            return True
        return bool(self.per_decade) and step > 0 and _on_log_grid(step, self.per_decade)

    @classmethod
    def parse(cls, text: str) -> "Schedule":
        """Parse 'every:16', 'first:5', 'log:4', 'never', or parts joined by '+'."""
        if text.strip() in ("never", "off", ""):
            return NEVER
        keys = {"every": "every", "first": "first", "log": "per_decade"}
        kwargs: dict[str, int] = {}
        for part in text.split("+"):
            key, _, value = part.strip().partition(":")
            if key not in keys or not value.isdigit():
                raise ValueError(f"bad schedule {text!r}: use every:K, first:N, log:P joined by '+'")
            kwargs[keys[key]] = int(value)
        return cls(**kwargs)


def _on_log_grid(step: int, per_decade: int) -> bool:
    """True if step == round(10 ** (i / per_decade)) for some integer i >= 0."""
    i = 0
    while True:
        value = round(10 ** (i / per_decade))
        if value >= step:
            return value == step
        i += 1


EVERY_STEP = Schedule(every=1)
#: per-tensor lists in step records: every step for the first 50 steps (the rules read
#: the first 10 and consecutive pairs), then every 10th step, so that a 10 000-step run
#: of a 50-layer model stays a few MB and the update probe's two copies per step are
#: paid on a sixth of a default 300-step run.
PER_TENSOR = Schedule(first=50, every=10)
#: PER_TENSOR's steps and the step after each: the gradient there, against the update just
#: measured, says whether the loss still falls along that update (probes/updates.py)
PER_TENSOR_PAIRS = Schedule(first=50, every=10, span=2)
STEP_ZERO = Schedule(first=1)
NEVER = Schedule()

"""The append-only metric store (metrics.jsonl) and its read API for rules.

Every line is one JSON object with a ``kind``. Kinds written by the core:

- ``meta``: the run (script, argv, device, versions); first line.
- ``tensors``: the index of observed parameter tensors (``names``, ``shapes``,
  ``modules``); per-tensor metrics are lists in this order.
- ``step``: one optimizer step's cheap metrics.
- ``end``: status, steps, wall time, traindebug's own time; last line.

Probes add their own kinds (one per probe). Values may be handed to
``append`` as tensors on any device: they are kept there and moved to the host
in one transfer per device and dtype at ``flush`` time (every second or 32
records), so CUDA runs never sync per parameter or per step. A value can also
be ``OnHost(fn, inputs)``: ``fn`` runs on the inputs' host values at flush time
(a few scalar operations in Python instead of a dozen tiny device kernels per step).
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import torch

SIGNIFICANT_DIGITS = 5


@dataclass(frozen=True)
class OnHost:
    """A record value computed at flush time: ``fn(*inputs)`` on the inputs' host values
    (tensors become Python numbers or nested lists, other inputs are passed as they are)."""

    fn: Callable[..., Any]
    inputs: tuple[Any, ...]


class MetricStore:
    """Appends records to ``path``; flushes every ``flush_every`` records or ``flush_seconds``.

    The time limit bounds what a kill -9 can lose; the record limit bounds the
    memory held and, on CUDA, how often the host waits for the device.
    """

    def __init__(self, path: Path, flush_every: int = 32, flush_seconds: float = 1.0) -> None:
        self.path = path
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self._flushed_at = time.monotonic()
        self._pending: list[dict[str, Any]] = []
        #: the last step record written, as plain Python (for the live view)
        self.last_written: dict[str, Any] | None = None
        self._file = open(path, "a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        """Queue one record (it must have a ``kind``)."""
        self._pending.append(record)
        if len(self._pending) >= self.flush_every or time.monotonic() - self._flushed_at >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Move pending tensors to the host in one go and write the lines."""
        if not self._pending or self._file.closed:
            return
        self._flushed_at = time.monotonic()
        pending, self._pending = self._pending, []
        try:
            records = _to_python(pending)
        except Exception:  # noqa: BLE001 - one unreadable value must not lose the others
            records = [_readable(r) for r in pending]
        steps = [r for r in records if r.get("kind") == "step"]
        if steps:
            self.last_written = steps[-1]
        self._file.write("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records))
        self._file.flush()

    def close(self) -> None:
        """Flush and close the file."""
        self.flush()
        self._file.close()


def _readable(record: dict[str, Any]) -> dict[str, Any]:
    """One record as plain Python, or, if one of its tensors cannot be read (a tensor that
    escaped from a torch.func transform), a ``store_error`` record saying which record was lost."""
    try:
        return _to_python([record])[0]
    except Exception as exc:  # noqa: BLE001 - reported in the file instead
        return {"kind": "store_error", "record_kind": record.get("kind"), "step": record.get("step"),
                "error": f"{type(exc).__name__}: {exc}"[:300]}


def _to_python(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tensors: list[torch.Tensor] = []  # rounded for the file
    raw: list[torch.Tensor] = []  # inputs of OnHost values, at full precision

    def collect(value: Any, into: list[torch.Tensor] = tensors) -> Any:
        if isinstance(value, torch.Tensor):
            into.append(value)
            return _TensorSlot(len(into) - 1)
        if isinstance(value, OnHost):
            return OnHost(value.fn, tuple(collect(v, raw) for v in value.inputs))
        if isinstance(value, dict):
            return {k: collect(v, into) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [collect(v, into) for v in value]
        return value

    skeleton = [collect(r) for r in records]
    host, host_raw = _bulk_to_host(tensors), _bulk_to_host(raw, rounded=False)

    def fill(value: Any) -> Any:
        if isinstance(value, _TensorSlot):
            return host[value.index]
        if isinstance(value, OnHost):
            return fill(value.fn(*(_plain(v) for v in value.inputs)))
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return _round(value)

    def _plain(value: Any) -> Any:
        """An OnHost input with its tensors replaced by their full-precision host values."""
        if isinstance(value, _TensorSlot):
            return host_raw[value.index]
        if isinstance(value, list):
            return [_plain(v) for v in value]
        if isinstance(value, dict):
            return {k: _plain(v) for k, v in value.items()}
        return value

    return [fill(r) for r in skeleton]


class _TensorSlot:
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def _bulk_to_host(tensors: list[torch.Tensor], rounded: bool = True) -> list[Any]:
    """One device-to-host copy per device and dtype; returns nested Python lists/floats
    (rounded to SIGNIFICANT_DIGITS unless ``rounded`` is False)."""
    out: list[Any] = [None] * len(tensors)
    groups: dict[tuple[torch.device, torch.dtype], list[int]] = defaultdict(list)
    for i, t in enumerate(tensors):
        groups[t.device, t.dtype].append(i)
    for indices in groups.values():
        flat = torch.cat([tensors[i].detach().reshape(-1) for i in indices]).cpu().to(torch.float64)
        if rounded:
            flat, done = _rounded(flat)
        values: list[Any] = flat.tolist()
        if rounded:
            for k in (~done).nonzero().reshape(-1).tolist():
                values[k] = _round(values[k])  # nan / inf as strings; below 1e-18 or above 1e26 one by one
        offset = 0
        for i in indices:
            t = tensors[i]
            n = t.numel()
            out[i] = _reshape(values[offset : offset + n], list(t.shape))
            offset += n
    return out


def _rounded(flat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(values rounded as ``_round`` rounds one float, which ones are done), vectorised.
    The integer mantissa is divided (or multiplied) by a power of ten that doubles hold
    exactly (up to 1e22), so the result is the double nearest the short decimal and prints
    as it; zeros are done as they are, non-finite values and magnitudes that would need
    larger powers are left to ``_round``."""
    magnitude = flat.abs()
    finite = torch.isfinite(flat)
    exponent = torch.floor(torch.log10(torch.where(finite & (magnitude > 0), magnitude, torch.ones_like(flat))))
    shift = (SIGNIFICANT_DIGITS - 1) - exponent
    mantissa = torch.round(flat * torch.pow(10.0, shift))
    rounded = torch.where(shift >= 0, mantissa / torch.pow(10.0, shift), mantissa * torch.pow(10.0, -shift))
    done = finite & (shift.abs() <= 22)
    return torch.where(done & (magnitude > 0), rounded, flat), done


def _reshape(flat: list[Any], shape: list[int]) -> Any:
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_reshape(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _round(value: Any) -> Any:
    if isinstance(value, float):
        if math.isfinite(value):
            return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def to_float(value: Any) -> float:
    """Read back a stored number ('nan'/'inf' strings included)."""
    if value is None:
        return math.nan
    return float(value)


class RunData:
    """Read API over one run's metrics.jsonl, for rules, figures and the logbook."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self._by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in records:
            self._by_kind[r.get("kind", "?")].append(r)
        self.steps: list[dict[str, Any]] = self._by_kind.get("step", [])
        self._step_keys: set[str] = set()
        for s in self.steps:
            self._step_keys.update(s)

    @classmethod
    def load(cls, path: Path) -> "RunData":
        """Read a metrics.jsonl, skipping a torn last line (after a kill)."""
        records = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return cls(records)

    @property
    def meta(self) -> dict[str, Any]:
        """The run's ``meta`` record (empty if missing)."""
        return self.last("meta") or {}

    @property
    def end(self) -> dict[str, Any]:
        """The run's ``end`` record (empty while the run is going)."""
        return self.last("end") or {}

    @property
    def tensor_names(self) -> list[str]:
        """Names of the observed parameter tensors, in per-tensor list order."""
        return (self.last("tensors") or {}).get("names", [])

    def records(self, kind: str) -> list[dict[str, Any]]:
        """All records of one kind, in the order written."""
        return self._by_kind.get(kind, [])

    def last(self, kind: str) -> dict[str, Any] | None:
        """The last record of one kind, or None."""
        found = self._by_kind.get(kind)
        return found[-1] if found else None

    def kinds(self) -> list[str]:
        """Record kinds present."""
        return list(self._by_kind)

    def has(self, key: str) -> bool:
        """Whether ``key`` is a step-record key or a record kind present in this run."""
        return key in self._step_keys or key in self._by_kind

    def series(self, key: str) -> tuple[list[int], list[Any]]:
        """(steps, values) of one step-record key, skipping steps without it."""
        xs, ys = [], []
        for s in self.steps:
            if key in s:
                xs.append(s["step"])
                ys.append(s[key])
        return xs, ys

    def floats(self, key: str) -> tuple[list[int], list[float]]:
        """Like ``series`` for scalar keys, with 'nan'/'inf' strings as floats."""
        xs, ys = self.series(key)
        return xs, [to_float(y) for y in ys]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for records in self._by_kind.values():
            yield from records

"""On CUDA, reading a value on the host waits for the device. The every-step probes must
not do it per step or per parameter: checked here on CPU by intercepting, below autograd,
the operators that force such a read (``.item()``, ``bool(t)``, ``nonzero``, ...) while a
probe's hook runs (not the expensive checks, which run a few times on a time budget). The store's bulk copy when it writes records is the one allowed
transfer (it is batched over many steps), and the non-finite check reads one value every
``CUDA_CHECK_EVERY`` steps on CUDA (every step on CPU, where a read costs nothing)."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

import traindebug
from traindebug import session as session_module
from traindebug import store as store_module
from traindebug.probes import non_finite
from traindebug.probes.base import Cost

#: operators whose CUDA implementation copies a value to the host and waits for it (``histc``
#: only when its range is empty, which the probes never pass: not listed)
SYNCING = {"_local_scalar_dense", "nonzero", "masked_select", "_unique2", "unique_dim", "unique_consecutive",
           "repeat_interleave", "bincount", "equal", "is_nonzero", "multinomial"}


class _Syncs(TorchDispatchMode):
    """Counts syncing operators per (probe, step) while a probe's hook runs."""

    def __init__(self) -> None:
        super().__init__()
        self.active: tuple[str, int] | None = None
        self.counts: collections.Counter[tuple[str, int, str]] = collections.Counter()

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        if self.active is not None and func.overloadpacket.__name__ in SYNCING:
            self.counts[(*self.active, func.overloadpacket.__name__)] += 1
        return func(*args, **(kwargs or {}))


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Syncs]:
    mode = _Syncs()
    call = session_module.Session._call
    flush = store_module.MetricStore.flush

    def observed_call(self: Any, fn: Any, *args: Any) -> None:
        probe = getattr(fn, "__self__", None)
        every_step = getattr(probe, "cost", Cost.EXPENSIVE) is not Cost.EXPENSIVE
        before, mode.active = mode.active, (probe.name, self._step) if every_step else None
        try:
            call(self, fn, *args)
        finally:
            mode.active = before

    def unobserved_flush(self: Any) -> None:
        before, mode.active = mode.active, None
        try:
            flush(self)
        finally:
            mode.active = before

    monkeypatch.setattr(session_module.Session, "_call", observed_call)
    monkeypatch.setattr(store_module.MetricStore, "flush", unobserved_flush)
    # what setup() chooses on CUDA
    monkeypatch.setattr(non_finite.NonFiniteProbe, "setup",
                        lambda self, run: setattr(self, "_check_every", non_finite.CUDA_CHECK_EVERY))
    with mode:
        yield mode


#: the per-sample family on every step (their presets' default is sparser); the one-off checks
#: (finite differences, batch mixing, curvature: a few runs on a time budget) off, for time
SCHEDULES = {**{name: "every:1" for name in ("per_sample", "gradient_noise", "alpha", "distance", "histograms", "tic")},
             **{name: "never" for name in ("gradient_check", "batch_mixing", "curvature")}}


@pytest.mark.parametrize("preset", ["cheap", "economy", "full"])
def test_probes_read_nothing_on_the_host_after_step_0(tmp_path: Path, syncs: _Syncs, preset: str) -> None:
    torch.manual_seed(0)
    depth, steps = 8, 40  # many parameter tensors: a read per tensor would show as dozens per step
    layers: list[nn.Module] = [nn.Linear(20, 32), nn.ReLU()]
    for _ in range(depth):
        layers += [nn.Linear(32, 32), nn.Tanh()]
    model = nn.Sequential(*layers, nn.Linear(32, 4))
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = torch.randn(steps, 64, 20), torch.randint(0, 4, (steps, 64))
    with traindebug.Session(tmp_path / "run", probes=preset, schedules=SCHEDULES, quiet=True):
        for i in range(steps):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[i]), y[i]).backward()
            optimizer.step()
    assert syncs.counts, "the interception saw nothing: the test would pass vacuously"
    later = {key: n for key, n in syncs.counts.items() if key[1] >= 1}
    # after step 0: only the non-finite check, once per CUDA_CHECK_EVERY steps
    assert {probe for probe, _, _ in later} <= {"non_finite"}, later
    assert sum(later.values()) <= steps // non_finite.CUDA_CHECK_EVERY, later
    # step 0, once per run: the initial loss against chance (a few reads), which module's output
    # is the first non-finite one (one read per module, and the step's loss), the histograms'
    # element owners (one)
    first = collections.Counter({probe: n for (probe, step, _), n in syncs.counts.items() if step == 0})
    assert set(first) <= {"loss", "non_finite", "histograms"}, first
    assert first["loss"] <= 5 and first["non_finite"] <= len(list(model.modules())) + 1 and first["histograms"] <= 1, first

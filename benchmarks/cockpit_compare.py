"""Cost of traindebug's presets against Cockpit's configurations, in one process.

Models (random data, batch 128): (a) an MLP 784-500-400-10, (b) Cockpit's / DeepOBS's
3C3D CNN on 32x32x3 inputs. For each model it times the plain training step (SGD),
Cockpit's economy / business / full configurations and traindebug's cheap / economy /
full presets (traindebug's full includes TIC, as Cockpit's business and full do), with the
expensive quantities every step and every 16 steps, and prints
one JSON line per configuration:

    {"tool", "preset", "model", "every", "median_ms", "mean_ms", "ratio", "ratio_of", "peak_mb", "device"}

``ratio`` is the median step time over the plain median for ``every`` = 1, and the mean
over a whole number of 16-step periods (the amortised cost) over the plain mean for
``every`` = 16 (``ratio_of`` says which). Each configuration runs ``--rounds`` times on a
fresh model, the rounds interleaved (plain, then every configuration, then again), and
its step times are pooled. ``peak_mb`` is the peak memory above the
configuration's starting point: on CUDA ``torch.cuda.max_memory_allocated``, on CPU the
peak resident set size sampled every millisecond by a thread (psutil).

    python benchmarks/cockpit_compare.py [--steps 20] [--rounds 3] [--device cpu|cuda] [--models mlp,3c3d]
                                         [--clock wall|cpu] [--threads N] [--plugins all|core+per-sample]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

BATCH = 128
PERIOD = 16
WARMUP = 5
#: the clock steps are timed with: wall time, or this process's CPU time (robust on a shared machine)
CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def mlp() -> nn.Module:
    """The MLP of the comparison: 784-500-400-10."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 400), nn.ReLU(), nn.Linear(400, 10))


def c3d3() -> nn.Module:
    """DeepOBS's 3C3D network (Cockpit's CIFAR-10 test problem); 'same' pooling as padding=1."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 5), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1),
        nn.Conv2d(64, 96, 3), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1),
        nn.Conv2d(96, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1),
        nn.Flatten(), nn.Linear(3 * 3 * 128, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10),
    )


MODELS: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    "mlp": (mlp, (BATCH, 1, 28, 28)),
    "3c3d": (c3d3, (BATCH, 3, 32, 32)),
}


class PeakMemory:
    """Peak memory above the starting point while the block runs."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> "PeakMemory":
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._base = torch.cuda.memory_allocated()
        else:
            import psutil

            self._proc = psutil.Process()
            self._base = self._proc.memory_info().rss
            self._peak = self._base
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, self._proc.memory_info().rss)
            time.sleep(0.001)

    def __exit__(self, *exc: Any) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            self.peak_mb = (torch.cuda.max_memory_allocated() - self._base) / 2**20
        else:
            self._stop.set()
            self._thread.join()
            self.peak_mb = (self._peak - self._base) / 2**20


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def run_plain(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int, **_: Any) -> list[float]:
    """The user's step: zero_grad, forward, loss, backward, SGD step."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for _step in range(steps):
        _sync(x.device)
        t = clock()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        _sync(x.device)
        times.append(clock() - t)
    return times


def run_cockpit(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int, preset: str, every: int) -> list[float]:
    """Cockpit's documented training loop with one of its configurations."""
    from backpack import extend
    from cockpit import Cockpit
    from cockpit.utils.configuration import configuration
    from cockpit.utils.schedules import linear

    model = extend(model)
    loss_fn = extend(nn.CrossEntropyLoss())
    individual = nn.CrossEntropyLoss(reduction="none")
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    cockpit = Cockpit(model.parameters(), quantities=configuration(preset, track_schedule=linear(every)))
    times = []
    for step in range(steps):
        _sync(x.device)
        t = clock()
        opt.zero_grad()
        out = model(x)
        loss = loss_fn(out, y)
        info = {"batch_size": x.shape[0], "individual_losses": individual(out, y), "loss": loss, "optimizer": opt}
        with cockpit(step, info=info):
            loss.backward(create_graph=cockpit.create_graph(step))
        opt.step()
        _sync(x.device)
        times.append(clock() - t)
    return times


def traindebug_schedules(preset: str, every: int) -> dict[str, str]:
    """Every probe that does not run every step by its cost class, on every:EVERY."""
    from traindebug.plugins import collect_probes, plugin_manager
    from traindebug.probes.base import Cost, Settings

    probes = collect_probes((plugin_manager_override or plugin_manager)(), Settings(preset=preset))
    return {p.name: f"every:{every}" for p in probes if p.cost not in (Cost.FREE, Cost.CHEAP) or p.name in
            ("distance", "histograms")}


#: --plugins core+per-sample: the core's cheap probes and the per-sample family only
CORE_AND_PER_SAMPLE = (
    "traindebug.probes.loss", "traindebug.probes.gradients", "traindebug.probes.updates",
    "traindebug.probes.learning_rate", "traindebug.probes.non_finite", "traindebug.probes.activations",
    "traindebug.probes.per_sample", "traindebug.probes.distance", "traindebug.probes.histograms",
)


def restrict_plugins(names: tuple[str, ...]) -> None:
    """Make sessions load only these plugin modules (to time one family without the others)."""
    import importlib

    import pluggy

    import traindebug.session
    from traindebug.plugins import Spec

    def manager(load_entry_points: bool = True) -> pluggy.PluginManager:
        pm = pluggy.PluginManager("traindebug")
        pm.add_hookspecs(Spec)
        for name in names:
            pm.register(importlib.import_module(name), name=name)
        return pm

    traindebug.session.plugin_manager = manager  # type: ignore[assignment]
    globals()["plugin_manager_override"] = manager


plugin_manager_override = None


def run_traindebug(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int, preset: str, every: int) -> list[float]:
    """The plain loop inside a traindebug Session with a preset."""
    import traindebug

    with tempfile.TemporaryDirectory() as out:
        session = traindebug.Session(Path(out), probes=preset, schedules=traindebug_schedules(preset, every), quiet=True)
        with session:
            times = run_plain(model, x, y, steps)
    return times


def measure(tool: str, preset: str, name: str, every: int, steps: int, device: torch.device) -> dict[str, Any]:
    """One configuration's step times (after WARMUP steps) and peak memory, on a fresh model."""
    make, shape = MODELS[name]
    torch.manual_seed(0)
    model = make().to(device)
    x = torch.randn(shape, device=device)
    y = torch.randint(0, 10, (shape[0],), device=device)
    runner = {"plain": run_plain, "cockpit": run_cockpit, "traindebug": run_traindebug}[tool]
    total = WARMUP + steps
    with PeakMemory(device) as memory, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = runner(model, x, y, total, preset=preset, every=every)[WARMUP:]
    return {"times": times, "peak_mb": memory.peak_mb}


def summary(tool: str, preset: str, name: str, every: int, runs: list[dict[str, Any]], device: torch.device) -> dict[str, Any]:
    """The JSON row of one configuration from its runs (one per round), step times pooled."""
    times = [t for run in runs for t in run["times"]]
    return {
        "tool": tool, "preset": preset, "model": name, "every": every,
        "median_ms": 1e3 * statistics.median(times), "mean_ms": 1e3 * statistics.fmean(times),
        "peak_mb": round(max(run["peak_mb"] for run in runs), 1), "device": str(device), "steps": len(times),
        "rounds": len(runs), "clock": clock.__name__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="measured steps for every=1 (every=16 uses 2 periods)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measure every configuration this many times, interleaved; step times pooled")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--models", default="mlp,3c3d")
    parser.add_argument("--tools", default="cockpit,traindebug")
    parser.add_argument("--clock", choices=tuple(CLOCK), default="wall",
                        help="wall time (default) or process CPU time (for a loaded, shared machine)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--plugins", choices=("all", "core+per-sample"), default="all",
                        help="time traindebug with every plugin (default) or the core and the per-sample family only")
    args = parser.parse_args()
    if args.plugins != "all":
        restrict_plugins(CORE_AND_PER_SAMPLE)
    global clock
    clock = CLOCK[args.clock]
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    configs = [("cockpit", p) for p in ("economy", "business", "full")] + [("traindebug", p) for p in ("cheap", "economy", "full")]
    configs = [c for c in configs if c[0] in args.tools.split(",")]
    for name in args.models.split(","):
        for every in (1, PERIOD):
            steps = args.steps if every == 1 else 2 * PERIOD
            # rounds interleave the configurations, so that a slow spell of the machine
            # does not fall on one configuration only
            runs: dict[tuple[str, str], list[dict[str, Any]]] = {c: [] for c in [("plain", "-"), *configs]}
            for _round in range(args.rounds):
                for tool, preset in runs:
                    runs[tool, preset].append(measure(tool, preset, name, every, steps, device))
            key = "median_ms" if every == 1 else "mean_ms"
            plain = summary("plain", "-", name, every, runs["plain", "-"], device)
            for (tool, preset), measured in runs.items():
                row = summary(tool, preset, name, every, measured, device)
                row.update(ratio=round(row[key] / plain[key], 2), ratio_of=key.split("_")[0])
                if tool == "traindebug":
                    row["plugins"] = args.plugins
                row["median_ms"], row["mean_ms"] = round(row["median_ms"], 2), round(row["mean_ms"], 2)
                print(json.dumps(row), flush=True)

if __name__ == "__main__":
    main()

"""Overhead of traindebug's default (cheap, every-step) probes on a training step.

In one process, for each model, alternates blocks of plain training steps and
blocks of steps observed by a traindebug Session, and prints one JSON line per
case with the median step times and their ratio: ``ratio`` over steps early in
a session (per-tensor statistics every step), ``steady_ratio`` over steps after
``PER_TENSOR.first`` (per-tensor statistics every 10th step; a default 300-step run
has PER_TENSOR.first early steps and the rest steady: ``run300_ratio`` weighs the two
medians so). Probes on their
own schedules (step-0 gradient check, curvature) fall outside the medians;
their one-off cost is the ``overhead_s`` of a run's findings.json.

    python benchmarks/overhead.py [--steps 200] [--device cpu|cuda] [--probes cheap]
                                  [--threads N] [--clock wall|cpu]

``--clock cpu`` times steps with this process's CPU time, which another process
on a shared machine disturbs less than wall time (use it with ``--threads 1``:
with more threads it also counts OpenMP's spin-waiting).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

import torch
from torch import nn

import traindebug
from traindebug.schedule import PER_TENSOR


def mlp() -> nn.Module:
    """The MLP 784-500-400-10 used by Cockpit's benchmarks."""
    return nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 400), nn.ReLU(), nn.Linear(400, 10))


def small_cnn() -> nn.Module:
    """A small CNN on 32x32x3 inputs."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10),
    )


CASES: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    "mlp_784_500_400_10": (mlp, (784,)),
    "cnn_32x32": (small_cnn, (3, 32, 32)),
}


#: the steps of a default ``traindebug check`` run (--max-steps), for ``run300_ratio``
DEFAULT_STEPS = 300
#: the clock steps are timed with
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_steps(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, n: int) -> list[float]:
    """Per-step wall times (ms) of n training steps."""
    times = []
    for _ in range(n):
        _sync(x.device)
        t = clock()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        _sync(x.device)
        times.append(1000 * (clock() - t))
    return times


def measure(name: str, steps: int, device: torch.device, probes: str, blocks: int = 8) -> dict:
    build, shape = CASES[name]
    torch.manual_seed(0)
    model = build().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(128, *shape, device=device)
    y = torch.randint(0, 10, (128,), device=device)
    time_steps(model, opt, x, y, 10)  # warm-up
    n = steps // blocks
    plain: list[float] = []
    early: list[float] = []  # steps 3.. of a session: per-tensor statistics every step
    steady: list[float] = []  # from step PER_TENSOR.first on: per-tensor statistics every 10th step
    with tempfile.TemporaryDirectory() as tmp:
        for block in range(blocks):
            plain += time_steps(model, opt, x, y, n)
            with traindebug.Session(Path(tmp) / f"run{block}", quiet=True, probes=probes):
                time_steps(model, opt, x, y, 3)  # the first steps set probes up
                early += time_steps(model, opt, x, y, n)
                time_steps(model, opt, x, y, PER_TENSOR.first - 3 - n)
                steady += time_steps(model, opt, x, y, n)
    p, o, s = (statistics.median(v) for v in (plain, early, steady))
    return {"name": name, "device": str(device), "probes": probes, "threads": torch.get_num_threads(),
            "clock": "cpu" if clock is time.process_time else "wall", "plain_ms": round(p, 3),
            "traindebug_ms": round(o, 3), "ratio": round(o / p, 3),
            "steady_ms": round(s, 3), "steady_ratio": round(s / p, 3),
            "run300_ratio": round((PER_TENSOR.first * o + (DEFAULT_STEPS - PER_TENSOR.first) * s) / (DEFAULT_STEPS * p), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--probes", default="cheap", choices=("cheap", "economy", "full"))
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--clock", default="wall", choices=tuple(CLOCKS))
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    if args.threads:
        torch.set_num_threads(args.threads)
    for name in CASES:
        print(json.dumps(measure(name, args.steps, torch.device(args.device), args.probes)), flush=True)


if __name__ == "__main__":
    main()

"""Where a preset's time goes: the preset every step against the same preset with one
probe switched off, interleaved in one process, for each probe in turn.

    python benchmarks/per_sample_ablation.py [--preset economy] [--model mlp] [--rounds 4]
                                             [--steps 25] [--threads 1] [--clock cpu]

Uses the models, the training step and the schedules of ``cockpit_compare.py`` (the core's
cheap probes and the per-sample family only). Prints one JSON line per configuration:
``without`` (the probe switched off, "-" for the whole preset, "plain" for no traindebug),
``median_ms`` (median step over all rounds, first 5 steps of each block left out),
``ratio`` (to the plain step) and ``costs_ms`` (what switching the probe off saves).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import torch

import cockpit_compare as cc

WARMUP = 5


def block(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int, preset: str,
          schedules: dict[str, str] | None) -> list[float]:
    """Step times of one block: plain (``schedules`` None) or under a Session."""
    import traindebug

    if schedules is None:
        return cc.run_plain(model, x, y, WARMUP + steps)[WARMUP:]
    with tempfile.TemporaryDirectory() as out:
        with traindebug.Session(Path(out), probes=preset, schedules=schedules, quiet=True):
            return cc.run_plain(model, x, y, WARMUP + steps)[WARMUP:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="economy", choices=("cheap", "economy", "full"))
    parser.add_argument("--model", default="mlp", choices=tuple(cc.MODELS))
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clock", choices=tuple(cc.CLOCK), default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cc.clock = cc.CLOCK[args.clock]
    cc.restrict_plugins(cc.CORE_AND_PER_SAMPLE)

    torch.manual_seed(0)
    make, shape = cc.MODELS[args.model]
    model, x, y = make(), torch.randn(shape), torch.randint(0, 10, (shape[0],))
    full = cc.traindebug_schedules(args.preset, 1)
    configs: dict[str, dict[str, str] | None] = {"plain": None, "-": full}
    # the per-sample engine itself runs whenever one of its consumers is due: not switched off alone
    configs.update({name: {**full, name: "never"} for name in sorted(full) if name != "per_sample"})
    times: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(args.rounds):
        for name, schedules in configs.items():
            times[name] += block(model, x, y, args.steps, args.preset, schedules)
    plain, whole = statistics.median(times["plain"]), statistics.median(times["-"])
    for name, values in times.items():
        median = statistics.median(values)
        print(json.dumps({"preset": args.preset, "model": args.model, "without": name,
                          "median_ms": round(1e3 * median, 2), "ratio": round(median / plain, 2),
                          "costs_ms": round(1e3 * (whole - median), 2)}))


if __name__ == "__main__":
    main()

"""Learning rate (and momentum, weight decay) of every param group, every step.

Records ``lr`` in each step record: one value per param group, optimizers in
the order they were created. At setup it emits an ``optimizers`` record with
each optimizer's type, the rate given to its constructor (``default_lr``) and
its groups' hyperparameters (with a scheduler, ``initial_lr`` is the rate it scales).
"""

from __future__ import annotations

from typing import Any

from traindebug.plugins import hookimpl
from traindebug.probes.base import Cost, Probe, Settings, StepContext

#: ``initial_lr`` is the rate a scheduler was built on (the configured rate; absent without scheduler)
HYPERPARAMETERS = ("lr", "initial_lr", "momentum", "betas", "weight_decay", "decoupled_weight_decay", "nesterov", "dampening", "eps", "alpha")


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, bool, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class LearningRateProbe(Probe):
    """Reads optimizer.param_groups: free, host-side."""

    name = "learning_rate"
    cost = Cost.FREE

    def __init__(self) -> None:
        self._described = 0

    def before_step(self, ctx: StepContext) -> None:
        optimizers = ctx.run.optimizers
        if not optimizers:
            return
        if len(optimizers) > self._described:
            self._described = len(optimizers)
            ctx.emit(
                "optimizers",
                {
                    "optimizers": [
                        {
                            "type": type(o).__name__,
                            # the rate passed to the constructor: what a hand-written schedule scales
                            "default_lr": _plain(o.defaults.get("lr")),
                            "groups": [
                                {k: _plain(g[k]) for k in HYPERPARAMETERS if k in g} | {"params": len(g["params"])}
                                for g in o.param_groups
                            ],
                        }
                        for o in optimizers
                    ]
                },
            )
        ctx.record("lr", [_plain(g["lr"]) for o in optimizers for g in o.param_groups])


@hookimpl
def traindebug_probes(settings: Settings) -> list[Probe]:
    return [LearningRateProbe()]

"""symmetric_init: weight matrices whose units (rows, or columns of an ``x @ W`` matrix) start identical and stay identical."""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, per_tensor, rule
from traindebug.store import RunData


def _unit_gains(names: list[str], shapes: list[list[int]], i: int) -> bool:
    """A parametrized weight's stored per-unit gains (weight_norm's ``g``: ``<module>.parametrizations.
    weight.original0``, shape (units, 1, ...)): equal gains scale units whose directions differ."""
    name, shape = names[i] if i < len(names) else "", shapes[i] if i < len(shapes) else []
    return ".parametrizations." in name and len(shape) >= 2 and all(d == 1 for d in shape[1:])


@rule("init.symmetric", "symmetric_init", needs=("unit_spread",))
def symmetric(run: RunData) -> list[Finding]:
    """Rows identical at step 0, at round-off level at the next check (identical gradients), and
    still identical at the last check: symmetry never broken."""
    steps, rows = per_tensor(run, "unit_spread")
    if len(rows) < 2 or steps[0] != 0 or steps[-1] < T.MIN_STEPS_FOR_TREND:
        return []
    names = run.tensor_names
    shapes = (run.last("tensors") or {}).get("shapes", [])
    first, second, last = rows[0], rows[1], rows[-1]
    stuck = [
        i for i in range(min(len(first), len(second), len(last)))
        if 0 <= first[i] <= T.SYMMETRY_SPREAD and 0 <= second[i] <= T.SYMMETRY_ROUNDOFF
        and 0 <= last[i] <= T.SYMMETRY_SPREAD and not _unit_gains(names, shapes, i)
    ]
    if not stuck:
        return []
    described = ", ".join(f"{names[i]} {list(shapes[i])}" if i < len(shapes) else names[i] for i in stuck if i < len(names))
    _, losses = run.floats("loss")
    chance = (run.last("loss_fn") or {}).get("chance_loss")
    loss_note = ""
    if losses:
        loss_note = f" The loss went from {fmt(losses[0])} to {fmt(losses[-1])}" + (
            f" (chance level {fmt(chance)})." if chance else "."
        )
    where = names[stuck[0]] if stuck[0] < len(names) else None
    return [
        Finding(
            rule="init.symmetric",
            category="symmetric_init",
            severity="warning",
            confidence=0.9,
            step=0,
            where=where,
            title=f"all units of {where} are identical copies: symmetry is never broken",
            observation=(
                f"In {described} every unit's weights (a row, or a column of a matrix used as x @ W) were identical "
                f"to the others at step 0 and still at step {steps[-1]} (spread across units / mean |w| <= {T.SYMMETRY_SPREAD:g}; a random "
                f"initialization gives about 1).{loss_note}"
            ),
            hypothesis=(
                "The weights were initialized to zero or to one constant. Identical units compute the same output and "
                "receive the same gradient, so they stay identical and the layer acts like a single unit "
                "(with all-zero weights, nothing behind them gets a gradient at all)."
            ),
            suggestion=(
                "Initialize weights randomly (PyTorch's default, nn.init.kaiming_uniform_ or xavier_uniform_); "
                "constant or zero init is fine only for biases (and for a final layer in front of random hidden units)."
            ),
            evidence={"tensors": [names[i] for i in stuck if i < len(names)], "spread_first": [first[i] for i in stuck],
                      "spread_last": [last[i] for i in stuck], "last_step": steps[-1]},
            caveat="Checked on step 0 and every 50 steps; dropout breaks exact symmetry and hides it from this check.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [symmetric]

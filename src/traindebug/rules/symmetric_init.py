"""symmetric_init: units that start identical and stay identical.

Read two ways: weight matrices whose units (rows, or columns of an ``x @ W`` matrix) are
identical (``init.symmetric``), and hidden activations whose units compute the same output for
every sample (``init.symmetric_units``): the latter also sees layers whose weights are no
parameters of their own, as those a hypernetwork generates."""

from __future__ import annotations

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, median, never_made, per_tensor, rule
from traindebug.rules.dead_units import layer_series
from traindebug.store import RunData


def _unit_gains(names: list[str], shapes: list[list[int]], i: int) -> bool:
    """A parametrized weight's stored per-unit gains (weight_norm's ``g``: ``<module>.parametrizations.
    weight.original0``, shape (units, 1, ...)): equal gains scale units whose directions differ."""
    name, shape = names[i] if i < len(names) else "", shapes[i] if i < len(shapes) else []
    return ".parametrizations." in name and len(shape) >= 2 and all(d == 1 for d in shape[1:])


def _held_by_something_else(run: RunData) -> set[int]:
    """Tensors that stay as they started for a reason other than symmetry, which no_gradient_flow
    and dead_units judge: a gradient never made (None at every step: a zero-initialised head whose
    output nothing reads), or a gradient zero at every measured step although the tensor is not
    all zero (thresholds behind dead units). All-zero tensors with zero gradients are kept: two
    zero factors (both embedding tables of a product, a zero weight behind a zero weight) hold
    each other at a symmetric saddle."""
    _, grads = per_tensor(run, "grad_norms")
    _, norms = per_tensor(run, "param_norms")
    if not grads or not norms:
        return never_made(run)
    zero = {i for i in range(max(len(r) for r in grads))
            if all(i >= len(r) or r[i] == 0 for r in grads) and i < len(norms[0]) and norms[0][i] > 0}
    return never_made(run) | zero


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
    held = _held_by_something_else(run)
    stuck = [
        i for i in range(min(len(first), len(second), len(last)))
        if 0 <= first[i] <= T.SYMMETRY_SPREAD and 0 <= second[i] <= T.SYMMETRY_ROUNDOFF
        and 0 <= last[i] <= T.SYMMETRY_SPREAD and not _unit_gains(names, shapes, i) and i not in held
    ]
    if not stuck:
        return []
    described = ", ".join(f"{names[i]} {list(shapes[i])}" if i < len(shapes) else names[i] for i in stuck if i < len(names))
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
                f"initialization gives about 1).{_loss_note(run)}"
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


@rule("init.constant_weights", "symmetric_init", needs=("unit_spread", "param_norms"))
def constant_weights(run: RunData) -> list[Finding]:
    """Most of the model's weight matrices start as one non-zero constant (an init function that
    fills every layer's weight, as ``model.apply`` with ``nn.init.constant_``): random biases and
    ReLU masks break the symmetry, but from a start in which each layer acts like a single unit.
    Only where ``init.symmetric`` (units identical to the end) has nothing to say."""
    if symmetric.fn(run):
        return []
    steps, rows = per_tensor(run, "unit_spread")
    norm_steps, norms = per_tensor(run, "param_norms")
    if len(rows) < 2 or steps[0] != 0 or not norms or norm_steps[0] != 0:
        return []
    names = run.tensor_names
    first, second = rows[0], rows[1]
    matrices = [i for i in range(min(len(first), len(norms[0]))) if first[i] >= 0 and names[i].endswith("weight")]
    constant = [i for i in matrices if first[i] <= T.SYMMETRY_ROUNDOFF and norms[0][i] > 0]
    if len(matrices) < 2 or len(constant) < max(2, T.CONSTANT_INIT_SHARE * len(matrices)):
        return []
    spread = median([second[i] for i in constant if i < len(second)])
    listed = ", ".join(names[i] for i in constant)
    return [
        Finding(
            rule="init.constant_weights",
            category="symmetric_init",
            severity="warning",
            confidence=0.75,
            step=0,
            where=names[constant[0]],
            title=f"{len(constant)} of {len(matrices)} weight matrices start as one constant: their units are near-copies",
            observation=(
                f"At step 0 the weights of {listed} were one non-zero value each (spread across units at round-off level, weight norms "
                f"{', '.join(fmt(norms[0][i]) for i in constant)}). At step {steps[1]} the median spread across units of these "
                f"matrices was {fmt(spread)} (a random initialization gives about 1): the symmetry breaks only as far as "
                f"the biases and the units' different activation patterns push it.{_loss_note(run)}"
            ),
            hypothesis=(
                "An initialization meant for the biases (or a constant meant for one layer) filled the weight matrices: "
                "units that start identical differ only through their biases, get nearly the same gradients, and each "
                "layer starts as, and for a while acts like, far fewer units."
            ),
            suggestion="Initialize the weight matrices randomly (PyTorch's default, xavier_ or kaiming_); keep constants for biases.",
            evidence={"tensors": [names[i] for i in constant], "matrices": len(matrices), "spread_second": spread,
                      "second_step": steps[1]},
            caveat="Zero-initialized output or residual layers are a known good practice and are not counted; a "
                   "constant non-zero start can be deliberate (an averaging filter), but rarely for most of a model's layers.",
        )
    ]


def _loss_note(run: RunData) -> str:
    """' The loss went from a to b (chance level c).' for an observation."""
    _, losses = run.floats("loss")
    if not losses:
        return ""
    chance = (run.last("loss_fn") or {}).get("chance_loss")
    return f" The loss went from {fmt(losses[0])} to {fmt(losses[-1])}" + (f" (chance level {fmt(chance)})." if chance else ".")


@rule("init.symmetric_units", "symmetric_init", needs=("unit_health",))
def symmetric_units(run: RunData) -> list[Finding]:
    """A hidden activation whose units are copies of each other at step 0 (round-off) and at every
    later check, while its output varies across samples; only where no weight matrix was found
    identical (``init.symmetric`` says it then, with the weights)."""
    if symmetric.fn(run):
        return []
    stuck = []
    for name, points in layer_series(run, "unit_spread").items():
        values = [v for _, v, _ in points]
        if len(points) < 2 or points[0][0] != 0 or points[-1][0] < T.MIN_STEPS_FOR_TREND:
            continue
        if 0 <= values[0] <= T.SYMMETRY_ROUNDOFF and all(0 <= v <= T.SYMMETRY_SPREAD for v in values):
            stuck.append((name, points))
    if not stuck:
        return []
    name, points = stuck[0]
    return [
        Finding(
            rule="init.symmetric_units",
            category="symmetric_init",
            severity="warning",
            confidence=0.85,
            step=0,
            where=name,
            title=f"all units of {name} compute the same output: symmetry is never broken",
            observation=(
                f"The units of {', '.join(n for n, _ in stuck)} (output shape {points[0][2]}) gave the same output for "
                f"every sample: "
                f"spread across units / mean |output| {', '.join(fmt(v) for _, v, _ in points)} at steps "
                f"{', '.join(str(s) for s, _, _ in points)} (a random initialization gives about 1), while the output "
                f"varies across samples.{_loss_note(run)}"
            ),
            hypothesis=(
                "The weights that feed these units are identical for every unit: a constant or zero initialization, or, where "
                "the weights are computed (a hypernetwork, weights built from a parameter vector), a generator whose output "
                "layer was initialized to a constant. Identical units get identical gradients and stay copies, so the layer "
                "acts like a single unit."
            ),
            suggestion=(
                "Find where the weights of this layer come from and initialize them (or the layer that generates them) "
                "randomly; check that the units' outputs differ after the fix."
            ),
            evidence={"layers": [n for n, _ in stuck], "spread": [v for _, v, _ in points],
                      "steps": [s for s, _, _ in points]},
            caveat="Checked on the unit-health steps (0, 1, 10, then every 25); units identical only at some of them are not reported.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [symmetric, symmetric_units, constant_weights]

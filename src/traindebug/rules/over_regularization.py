"""over_regularization: weight decay, clipping or dropout so strong that it dominates learning."""

from __future__ import annotations

import math
from typing import Any

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, coupled_decay, fmt, late, late_quarters, matrix_tensors, median, per_tensor, rule
from traindebug.rules.gradient_scale import clipped_after_update, lookup_tables, rms_entry
from traindebug.rules.learning_rate import not_improving
from traindebug.store import RunData, to_float


def _finding(name: str, stuck: bool, **fields: Any) -> Finding:
    """An over_regularization finding (from step 0, with the loss figure unless told otherwise)."""
    fields.setdefault("figures", ["loss"])
    return Finding(rule=name, category="over_regularization", severity=_severity(stuck), step=0, **fields)


def _severity(stuck: bool) -> str:
    return "warning" if stuck else "info"


def optimizer_groups(run: RunData) -> list[dict]:
    """The parameter groups of every optimizer seen."""
    return [g for o in (run.last("optimizers") or {}).get("optimizers", []) for g in o.get("groups", [])]


def weight_shrink(run: RunData, leave_out: frozenset[int] = frozenset()) -> float | None:
    """Median over weight matrices (less ``leave_out``) of (late norm / initial norm); None
    with too few steps."""
    steps, rows = per_tensor(run, "param_norms")
    idx = [i for i in matrix_tensors(run) if i not in leave_out]
    if len(rows) < T.MIN_STEPS_FOR_TREND or not idx:
        return None
    end = late(steps, rows)
    return median([median([row[i] for row in end]) / rows[0][i] for i in idx if i < len(rows[0]) and rows[0][i] > 0])


def vanished_matrices(run: RunData, steps: int = 10) -> frozenset[int]:
    """Weight matrices whose RMS gradient over the first ``steps`` steps with per-tensor norms
    was (median) below GRAD_DEPTH_RATIO_LOW of the largest one's (vanishing_gradients' bar; all
    of them where no matrix gets a gradient, as behind a layer of dead ReLUs):
    any weight decay dominates a vanished gradient, so these matrices say nothing about
    whether the decay is too strong for the others."""
    _, grads = per_tensor(run, "grad_norms")
    idx = matrix_tensors(run)
    ratios: dict[int, list[float]] = {i: [] for i in idx}
    for g in grads[:steps]:
        rms = {i: rms_entry(run, i, g) for i in idx if i < len(g) and math.isfinite(g[i])}
        top = max(rms.values(), default=0.0)
        for i, r in rms.items():
            ratios[i].append(r / top if top > 0 else 0.0)  # no gradient at all: every matrix's vanished
    return frozenset(i for i, r in ratios.items() if r and median(r) < T.GRAD_DEPTH_RATIO_LOW)


def _last_quarter_shrink(run: RunData) -> float:
    """Median over the weight matrices weight_shrink judges (those not zero at the start) of
    their norm at the last measured step over their norm a quarter of the run before (nan
    with too few steps)."""
    steps, rows = per_tensor(run, "param_norms")
    if len(rows) < T.MIN_STEPS_FOR_TREND:
        return math.nan
    before = next(r for s, r in zip(steps, rows) if s >= steps[-1] - (steps[-1] - steps[0]) / 4)
    kept = [i for i in matrix_tensors(run) if i < min(len(rows[0]), len(before), len(rows[-1])) and rows[0][i] > 0 and before[i] > 0]
    return median([rows[-1][i] / before[i] for i in kept])


@rule("regularization.weight_decay", "over_regularization", needs=("optimizers", "param_norms", "loss"))
def weight_decay(run: RunData) -> list[Finding]:
    """Weight decay shrinks the weight matrices whose gradient has not vanished to a fraction of
    their initial norm."""
    groups = optimizer_groups(run)
    decay = max((to_float(g.get("weight_decay")) for g in groups if g.get("weight_decay")), default=0.0)
    shrink = weight_shrink(run, leave_out=vanished_matrices(run))
    if not decay > 0 or shrink is None or not shrink < T.WEIGHT_SHRINK_FRACTION:
        return []
    stuck, loss = not_improving(run)
    lr = median([to_float(g.get("lr")) for g in groups])
    return [
        _finding(
            "regularization.weight_decay",
            stuck,
            confidence=0.75,
            title=f"weight decay {decay:g} shrinks the weights to {shrink:.0%} of their initial norm",
            observation=(
                f"With weight_decay={decay:g} (lr {lr:g}) the weight matrices ended at a median {shrink:.1%} of their "
                f"initial norm over {len(run.steps)} steps; {loss}."
            ),
            hypothesis=(
                "The decay term pulls every weight toward zero faster than the loss gradient can push it out: "
                "the network is regularized into a near-constant function."
            ),
            suggestion="Lower weight_decay by 10-100x (typical: 1e-4..5e-4 for SGD, 1e-2..1e-1 for AdamW's decoupled decay).",
            evidence={"weight_decay": decay, "lr": lr, "weight_norm_fraction": shrink},
            caveat="Weights that start far too large (see bad_init_scale) may shrink a lot under healthy decay; it matters when the loss also stalls.",
        )
    ]


def decay_to_gradient(run: RunData, decay: float) -> float:
    """Median over the first 10 steps of the median over dense weight matrices (embedding tables
    left out: a batch touches few of their rows; so are matrices whose gradient vanished) of
    decay * |W| / |dL/dW|."""
    names, lookups, vanished = run.tensor_names, lookup_tables(run), vanished_matrices(run)
    idx = [i for i in matrix_tensors(run)
           if i < len(names) and names[i].rsplit(".", 1)[0] not in lookups and i not in vanished]
    _, grads = per_tensor(run, "grad_norms")
    _, weights = per_tensor(run, "param_norms")
    per_step = [
        median(ratios) for g, w in zip(grads[:10], weights[:10])
        if (ratios := [decay * w[i] / g[i] for i in idx if i < min(len(g), len(w)) and g[i] > 0 and math.isfinite(g[i])])
    ]
    return median(per_step)


@rule("regularization.decay_dominates", "over_regularization", needs=("optimizers", "param_norms", "grad_norms", "loss"))
def decay_dominates(run: RunData) -> list[Finding]:
    """Coupled weight decay (added to the gradient) as large as the data gradient from the first steps."""
    decay = coupled_decay(run)
    if not decay > 0:
        return []
    ratio = decay_to_gradient(run, decay)
    if not ratio >= T.DECAY_GRADIENT_RATIO:
        return []
    _, loss = not_improving(run)
    return [
        Finding(
            rule="regularization.decay_dominates",
            category="over_regularization",
            severity="warning",
            confidence=0.7,
            step=0,
            title=f"weight decay {decay:g} pulls on the weights with {fmt(ratio)}x the force of the data gradient",
            observation=(
                f"The optimizer adds weight_decay x W = {decay:g} x W to each gradient. In the first 10 steps this term "
                f"was {fmt(ratio)}x the loss's own gradient (median over the weight matrices); {loss}."
            ),
            hypothesis=(
                "Early in training, when the loss gradient is at its largest, the decay term is already as large: the "
                "optimizer's steps mostly shrink the weights instead of fitting the data, and the model settles where the "
                "penalty, not the loss, wants it."
            ),
            suggestion=(
                "Lower weight_decay by 10-100x; with Adam use AdamW (decoupled decay, typically 1e-2) instead of Adam's "
                "weight_decay, which acts as an L2 term on the gradient and is rescaled per weight."
            ),
            evidence={"weight_decay": decay, "decay_over_gradient": ratio},
            caveat="The largest decay of any parameter group is compared; a group without decay for the weight matrices "
                   "would make this an overstatement. Late in a run that fits its data, the gradient shrinks and the ratio "
                   "grows legitimately; only the first steps are judged.",
            figures=["loss"],
        )
    ]


@rule("regularization.weights_collapse", "over_regularization", needs=("optimizers", "param_norms", "loss"))
def weights_collapse(run: RunData) -> list[Finding]:
    """Without optimizer weight decay, the weight matrices shrink to almost nothing.

    Unregularized training grows the weights (every clean control ends at >= 1.02x its
    initial norm); a collapse by two orders of magnitude needs a pull toward zero that
    the optimizer does not apply: an L2 penalty added to the loss.
    """
    groups = optimizer_groups(run)
    shrink = weight_shrink(run)
    if any(to_float(g.get("weight_decay")) > 0 for g in groups) or shrink is None or not shrink < T.WEIGHT_COLLAPSE_FRACTION:
        return []
    stuck, loss = not_improving(run)
    # weights that still shrink at the end are pulled toward zero; a model whose best fit is
    # near zero weights settles there
    shrinking = _last_quarter_shrink(run) < T.WEIGHT_STILL_SHRINKING
    return [
        _finding(
            "regularization.weights_collapse",
            stuck or shrinking,
            confidence=0.6,
            title=f"the weights shrink to {shrink:.2%} of their initial norm",
            observation=(
                f"Over {len(run.steps)} steps the weight matrices ended at a median {shrink:.2%} of their initial norm, "
                f"although the optimizer applies no weight decay"
                + (", and they were still shrinking over the last quarter of the run" if shrinking else "") + f"; {loss}."
            ),
            hypothesis=(
                "Something pulls every weight toward zero harder than the data term pushes back: typically an L2 or "
                "L1 penalty added to the loss with a coefficient orders of magnitude too large."
            ),
            suggestion="Print the data loss and the penalty separately; scale the penalty coefficient down until the data loss dominates (1e-4..1e-5 per weight is usual).",
            evidence={"weight_norm_fraction": shrink},
            caveat="A model whose best fit really is near zero weights (no signal in the inputs) also shrinks them; the penalty is the likelier cause when the loss stalls at chance.",
        )
    ]


@rule("regularization.clipping", "over_regularization", needs=("clip_total_norm", "clip_max_norm", "loss"))
def clipping(run: RunData) -> list[Finding]:
    """Gradient clipping is active on (almost) every step, far below the gradient norm."""
    _, totals = run.floats("clip_total_norm")
    _, limits = run.floats("clip_max_norm")
    if clipped_after_update(run) > 0.5:
        return []  # clipped after the updates: it shaped none of them (gradients.clip_after_update)
    ratios = [t / m for t, m in zip(totals, limits) if m > 0]
    if len(ratios) < T.MIN_STEPS_FOR_TREND:
        return []
    active = sum(1 for r in ratios if r > 1) / len(ratios)
    typical = median(ratios)
    if active < T.CLIP_ACTIVE_FRACTION or not typical >= T.CLIP_RATIO_HIGH:
        return []
    stuck, loss = not_improving(run)
    return [
        _finding(
            "regularization.clipping",
            stuck,
            confidence=0.8,
            title=f"gradient clipping cuts every step by ~{fmt(typical)}x",
            observation=(
                f"clip_grad_norm_ (max_norm {fmt(median(limits))}) was active on {active:.0%} of {len(ratios)} steps; "
                f"the median gradient norm before clipping was {fmt(typical)}x the threshold; {loss}."
            ),
            hypothesis=(
                "The clipping threshold is far below the typical gradient norm, so every update is rescaled: "
                "with SGD this divides the learning rate by that factor and hides the gradient's size from the optimizer."
            ),
            suggestion="Set max_norm near the typical gradient norm (e.g. its 90th percentile on a healthy run) so that clipping only catches spikes.",
            evidence={"clip_active_fraction": active, "norm_over_threshold": typical, "max_norm": median(limits)},
            caveat="Adaptive optimizers (Adam) largely undo a constant rescaling, so heavy clipping may cost little there; it is reported as a warning only when the loss also stalls.",
            figures=["grad_norm", "loss"],
        )
    ]


def added_terms(run: RunData) -> tuple[list[int], list[float], list[float], float]:
    """(steps, data term, term added by hand, the factor applied to the loss function's value to
    make the data term) on steps with one backward of a loss that combined one torch loss
    function's value with something else."""
    totals, values, calls, passes = (dict(zip(*run.floats(key)))
                                     for key in ("loss", "loss_fn_value", "loss_fn_calls", "backward_passes"))
    keep = [(s, values[s], t) for s, t in totals.items()
            if s in values and calls.get(s) == 1 and passes.get(s) == 1 and math.isfinite(t) and math.isfinite(values[s])]
    steps = [k[0] for k in keep]
    for scale in _summed_scales(run):
        data = [scale * k[1] for k in keep]
        added = [k[2] - d for k, d in zip(keep, data)]
        if l2_coefficient(run, steps, added) is not None:
            return steps, data, added, scale
    return steps, [k[1] for k in keep], [k[2] - k[1] for k in keep], 1.0


def _summed_scales(run: RunData) -> list[float]:
    """Factors by which a script may have divided a loss function's summed value before adding
    a penalty (``F.bce(..., reduction="sum") / len(y)``): the batch size and the number of
    target values, tried only where what is left over is then exactly an L2 penalty."""
    fn = run.last("loss_fn") or {}
    if fn.get("reduction") != "sum":
        return []
    shapes = [(fn.get(key) or {}).get("shape") or [] for key in ("input", "target")]
    sizes = {n for shape in shapes if shape for n in (shape[0], math.prod(shape)) if n > 1}
    return [1.0 / n for n in sorted(sizes)]


def l2_coefficient(run: RunData, steps: list[int], added: list[float]) -> float | None:
    """c if the added term equals c * sum of squared parameters (all of them, or the weight
    matrices only) on the steps where their norms were measured, to within L2_PENALTY_SPREAD;
    else None. Only the steps that list the first step's tensors count (a loop that builds a
    new model per fold or trial adds tensors the penalty of the first one does not cover)."""
    norm_steps, rows = per_tensor(run, "param_norms")
    if not rows:
        return None
    width = len(rows[0])
    for kept in (range(width), [i for i in matrix_tensors(run) if i < width]):
        squares = {s: sum(row[i] ** 2 for i in kept) for s, row in zip(norm_steps, rows) if len(row) == width}
        ratios = [a / squares[s] for s, a in zip(steps, added) if squares.get(s, 0) > 0]
        if len(ratios) >= T.MIN_STEPS_FOR_TREND and min(ratios) > 0 and max(ratios) / min(ratios) <= T.L2_PENALTY_SPREAD:
            return median(ratios)
    return None


@rule("regularization.loss_penalty", "over_regularization", needs=("loss", "loss_fn_value", "loss_fn_calls"))
def loss_penalty(run: RunData) -> list[Finding]:
    """A term added to the loss by hand (e.g. an L2 penalty) makes up at least half of it, or is
    an L2 penalty whose gradient is at least half the loss's gradient in the first steps."""
    steps, data, added, scale = added_terms(run)
    if len(steps) < T.MIN_STEPS_FOR_TREND:
        return []
    quarter = len(steps) // 4
    shares = [a / (d + a) for d, a in zip(data[3 * quarter :], added[3 * quarter :]) if d + a > 0]
    share = median(shares) if shares else math.nan
    coefficient = l2_coefficient(run, steps, added)
    # an L2 penalty c * |W|^2 is weight decay 2c on the gradient: judged like the optimizer's
    pull = decay_to_gradient(run, 2 * coefficient) if coefficient is not None else math.nan
    if not (share >= T.PENALTY_SHARE_HIGH or pull >= T.DECAY_GRADIENT_RATIO):
        return []
    third, fourth = late_quarters(data)
    # stalled short of a fit: still more than half of where it started (a data term that fell
    # to a few percent of its start was not kept from fitting, whatever the other term's share)
    stalled = not fourth < (1 - T.UNDERFIT_PLATEAU_PROGRESS) * third and fourth >= T.UNDERFIT_LOSS_FRACTION * data[0]
    what = (f"It equals {fmt(coefficient)} x the sum of the squared parameters at every measured step: an L2 penalty "
            f"with coefficient {fmt(coefficient)}, whose gradient 2 x {fmt(coefficient)} x W was {fmt(pull)}x the "
            f"gradient of the whole loss in the first 10 steps (median over the weight matrices)."
            if coefficient is not None else "")
    # a weight penalty as large as the data term is over-regularization by definition; another
    # added term (a VAE's KL, an auxiliary task) only when the data term has also stopped improving
    return [
        _finding(
            "regularization.loss_penalty",
            stalled or coefficient is not None,
            confidence=0.8 if coefficient is not None else 0.6,
            title=(f"an L2 penalty ({fmt(coefficient)} x sum of squares) added to the loss pulls as hard as the data"
                   if coefficient is not None else f"a term added to the loss makes up {share:.0%} of it"),
            observation=(
                f"The backpropagated loss exceeded the value of the loss function ({(run.last('loss_fn') or {}).get('name', '?')}"
                + (f", summed and divided by {round(1 / scale)}" if scale != 1 else "") + ") "
                f"by a term that made up a median {share:.0%} of it over the last quarter of the run; the data term went "
                f"from {fmt(data[0])} to {fmt(fourth)} ({fmt(third)} in the third quarter). {what}".strip()
            ),
            hypothesis=(
                "The optimizer minimizes the sum, so a penalty as large as the data term pulls the weights toward its own "
                "minimum as hard as the data pulls them toward a fit: the model is regularized into underfitting"
                + ("." if stalled else
                   f"; the data term fell to {fourth / data[0]:.0%} of its start, so the fit was not prevented."
                   if coefficient is None and fourth < T.UNDERFIT_LOSS_FRACTION * data[0] else
                   "; the data term still falls, but slowly, toward a fit worse than without it.")
            ),
            suggestion="Print the data loss and the added term separately; scale the penalty coefficient down (1e-4..1e-5 "
                       "per weight is usual for L2) until the data term dominates.",
            evidence={"penalty_share": share, "data_loss_third_quarter": third, "data_loss_last_quarter": fourth,
                      "l2_coefficient": coefficient, "penalty_over_gradient": pull},
            caveat="The run sees only the sum: whether the added term is a penalty or a second objective that matters "
                   "(a VAE's KL term, an auxiliary task) the code must tell.",
        )
    ]


@rule("regularization.dropout", "over_regularization", needs=("mode_modules", "loss"))
def dropout(run: RunData) -> list[Finding]:
    """Dropout with p >= DROPOUT_P_HIGH."""
    modules = (run.last("mode_modules") or {}).get("modules", [])
    heavy = [m for m in modules if m.get("p") is not None and to_float(m["p"]) >= T.DROPOUT_P_HIGH]
    if not heavy:
        return []
    stuck, loss = not_improving(run)
    names = ", ".join(f"{m['module']} (p={to_float(m['p']):g})" for m in heavy)
    return [
        _finding(
            "regularization.dropout",
            stuck,
            confidence=0.7,
            where=heavy[0]["module"],
            title=f"dropout drops {to_float(heavy[0]['p']):.0%} of the units",
            observation=f"Dropout modules with p >= {T.DROPOUT_P_HIGH:g}: {names}" + (f"; {loss}." if loss else "."),
            hypothesis="p is the probability of dropping a unit, not of keeping it: with p this high almost no signal reaches the next layer and the training loss cannot fall.",
            suggestion="Use p around 0.1-0.5 (0.5 for large hidden layers, 0.1-0.2 for inputs); if you meant 'keep probability' (TensorFlow 1 convention), use 1 - p.",
            evidence={"dropout": {m["module"]: to_float(m["p"]) for m in heavy}},
            caveat="Very wide layers tolerate more dropout; it is reported as a warning only when the loss also stalls.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [weight_decay, decay_dominates, weights_collapse, loss_penalty, clipping, dropout]

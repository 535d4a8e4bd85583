"""exploding_gradients and vanishing_gradients: gradient norms over steps and through depth."""

from __future__ import annotations

import math

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, coupled_decay, fmt, matrix_tensors, median, model_of, per_tensor, rule
from traindebug.rules.learning_rate import loss_trend, update_ratios
from traindebug.rules.lr_too_low import grad_to_weight, loss_progress
from traindebug.store import RunData, to_float


def _pre_clip_norms(run: RunData) -> tuple[list[int], list[float]]:
    """The total gradient norm before clipping when the script clips, else after."""
    steps, clip = run.floats("clip_total_norm")
    if len(clip) >= T.MIN_STEPS_FOR_TREND:
        return steps, clip
    return run.floats("grad_norm")


def _fell_steadily(run: RunData, from_step: int) -> bool:
    """Whether the loss stayed finite, fell below LOSS_NOT_IMPROVING_FRACTION of its start, and
    never rose above LOSS_SPIKE_FACTOR x its value where the gradient norm had grown: gradients
    that grow from a tiny start (a contrastive loss whose embeddings start out alike) while
    the loss keeps falling are the model leaving a flat region, not an explosion. Seeded
    exploding runs of the example folders all end above their initial loss or non-finite."""
    steps, losses = run.floats("loss")
    if len(losses) < T.MIN_STEPS_FOR_TREND or not all(math.isfinite(v) for v in losses) or losses[0] <= 0:
        return False
    late = median(losses[-max(3, len(losses) // 5) :])
    at = median([v for s, v in zip(steps, losses) if abs(s - from_step) <= 3])
    after = max(v for s, v in zip(steps, losses) if s >= from_step)
    return late < T.LOSS_NOT_IMPROVING_FRACTION * losses[0] and after <= T.LOSS_SPIKE_FACTOR * at


@rule("gradients.exploding", "exploding_gradients", needs=("grad_norm",))
def exploding(run: RunData) -> list[Finding]:
    """The total gradient norm grows by orders of magnitude over the steps."""
    steps, norms = _pre_clip_norms(run)
    if len(norms) < T.MIN_STEPS_FOR_TREND:
        return []
    start = median(norms[:3])
    if not math.isfinite(start) or start <= 0:
        return []
    loss = dict(zip(*run.floats("loss")))
    ratio_steps, ratios = update_ratios(run)
    update = dict(zip(ratio_steps, ratios))
    window = 5
    for i in range(len(norms) - window + 1):
        value = median(norms[i : i + window])
        # a non-finite norm counts when the backward overflowed (the step's loss was finite), when
        # the norm had grown before, or when the step before moved the weights by more than their
        # own norm (a gradient orders of magnitude too large); a NaN that comes from the loss
        # itself (log 0) after ordinary steps is non_finite's alone
        grown = max((v for v in norms[: i + 1] if math.isfinite(v)), default=0.0) > T.GRAD_GROWTH_FACTOR * start
        leap = i > 0 and update.get(steps[i - 1], 0.0) > 1.0
        overflowed = not math.isfinite(norms[i]) and (grown or leap or math.isfinite(loss.get(steps[i], math.nan)))
        hit = overflowed or (math.isfinite(value) and value > T.GRAD_GROWTH_FACTOR * start)
        if hit:
            peak = max((v for v in norms if math.isfinite(v)), default=math.inf)
            settled = _fell_steadily(run, steps[i])
            return [
                Finding(
                    rule="gradients.exploding",
                    category="exploding_gradients",
                    severity="info" if settled else "warning",
                    confidence=0.7,
                    step=steps[i],
                    title=f"gradient norm grew {fmt(peak / start)}x over the run",
                    observation=(
                        f"The total gradient norm was {fmt(start)} in the first steps and reached "
                        f"{fmt(peak)} (from step {steps[i]} on, the 5-step median exceeds {T.GRAD_GROWTH_FACTOR:g}x the start)."
                        + (" The loss kept falling without a jump, to below "
                           f"{T.LOSS_NOT_IMPROVING_FRACTION:.0%} of its start: the gradients grew from a small start as the "
                           "model left a flat region (info)." if settled else "")
                    ),
                    hypothesis=(
                        "Gradients grow when the iterates leave the region where the loss is well-conditioned: "
                        "usually a step size too large for the curvature, or activations growing through depth."
                    ),
                    suggestion="Lower the learning rate, check the input scale and initialization, or clip gradients at a norm close to the early median.",
                    evidence={"start_norm": start, "peak_norm": peak, "from_step": steps[i]},
                    caveat="Growth alone does not say which layer is responsible; see the per-layer gradient figure.",
                    figures=["grad_norm", "grad_heatmap"],
                )
            ]
    return []


def clipped_after_update(run: RunData) -> float:
    """Fraction of the clip_grad_norm_ calls made after their step's optimizer update, or before
    its backward (nan if none): such calls shape no update. Above 1/2, the script clips in the
    wrong place."""
    _, after = run.floats("clip_after_update")
    return sum(after) / len(after) if after else math.nan


@rule("gradients.clip_after_update", "exploding_gradients", needs=("clip_total_norm", "clip_max_norm", "clip_after_update"))
def clip_after_update(run: RunData) -> list[Finding]:
    """clip_grad_norm_ runs after optimizer.step() or before loss.backward(): it never limits an
    update, though it would have."""
    steps, after = run.floats("clip_after_update")
    _, totals = run.floats("clip_total_norm")
    _, limits = run.floats("clip_max_norm")
    fraction = clipped_after_update(run)
    if len(after) < T.MIN_STEPS_FOR_TREND or not fraction > 0.5:
        return []
    # the three keys are recorded together at each clip call; a clip before backward saw the zeroed
    # gradients (norm 0): the gradient its step's update used is the step's own norm
    used = dict(zip(*run.floats("grad_norm")))
    ratios = [(t if t > 0 else used.get(s, t)) / m for s, t, m, flag in zip(steps, totals, limits, after) if flag and m > 0]
    if not ratios:
        return []
    would_act = sum(1 for r in ratios if not r <= 1) / len(ratios)  # NaN norms count as acting
    peak = max((r for r in ratios if math.isfinite(r)), default=math.inf)
    exploded = not peak < T.GRAD_GROWTH_FACTOR
    # it matters when it would have acted on most steps, or once on an update orders of magnitude
    # past the bound (one such update can wreck a model, after which the gradients are small again)
    if would_act < 0.5 and not exploded:
        return []
    return [
        Finding(
            rule="gradients.clip_after_update",
            category="exploding_gradients",
            severity="error" if exploded else "warning",
            confidence=0.9,
            step=steps[0],
            title="gradient clipping runs after optimizer.step() or before loss.backward(), so it never limits an update",
            observation=(
                f"clip_grad_norm_ (max_norm {fmt(median(limits))}) was called after the step's optimizer update, or before "
                f"its backward pass, on {fraction:.0%} of {len(after)} steps, where the gradient norm the update used "
                f"exceeded max_norm on {would_act:.0%} of them, at most {fmt(peak)}x."
            ),
            hypothesis=(
                "The clipping is meant to bound each update, but it rescales gradients that the optimizer has already "
                "used, or that the next backward replaces (after zero_grad) or adds to. Every update is unclipped"
                + ("; the gradients then grew without bound." if exploded else ".")
            ),
            suggestion="Call clip_grad_norm_ between loss.backward() and optimizer.step() (after scaler.unscale_ with AMP).",
            evidence={"after_update_fraction": fraction, "would_clip_fraction": would_act, "peak_over_threshold": peak},
            caveat="Whether the unclipped updates caused the divergence, or only failed to stop it, the run cannot tell; "
                    "the learning rate may be too high as well.",
            figures=["grad_norm", "loss"],
        )
    ]


def rms_entry(run: RunData, index: int, norms: list[float]) -> float:
    """RMS entry of tensor ``index`` from its norm in a per-tensor row ``norms`` (gradients,
    updates)."""
    shape = (run.last("tensors") or {}).get("shapes", [])[index]
    return norms[index] / math.sqrt(max(math.prod(shape), 1))


def lookup_tables(run: RunData) -> set[str]:
    """Modules that are embedding tables: only the rows a batch looks up get a gradient,
    so their RMS gradient is small by construction, not because the signal vanished."""
    first = run.records("activations")[:1]
    return {r["module"] for rec in first for r in rec.get("modules", []) if r.get("kind") in ("Embedding", "EmbeddingBag")}


def _depth_ratio(run: RunData, matrices: list[int], rows: list[list[float]]) -> tuple[float, int, int, float, float] | None:
    """(first/last RMS gradient ratio, first, last, first_rms, last_rms) of one model's weight matrices."""
    first, last = matrices[0], matrices[-1]
    first_rms = median([rms_entry(run, first, r) for r in rows if first < len(r)])
    last_rms = median([rms_entry(run, last, r) for r in rows if last < len(r)])
    if not (math.isfinite(first_rms) and math.isfinite(last_rms)) or last_rms <= 0 or first_rms <= 0:
        return None  # no gradient at all is no_gradient_flow's finding, not a vanishing one
    return first_rms / last_rms, first, last, first_rms, last_rms


def _depth_ratios(run: RunData) -> list[tuple[float, int, int, float, float]]:
    """First/last RMS gradient ratios of each model's weight matrices (three at least;
    embedding tables left out; none initialised to zero) over the first 10 steps with per-tensor norms."""
    names = run.tensor_names
    lookups = lookup_tables(run)
    by_model: dict[str, list[int]] = {}
    for i in matrix_tensors(run):
        if i < len(names) and names[i].rsplit(".", 1)[0] not in lookups:
            by_model.setdefault(model_of(names[i]), []).append(i)
    _, rows = per_tensor(run, "grad_norms")
    rows = rows[:10]
    if not rows:
        return []
    _, weights = per_tensor(run, "param_norms")
    # a weight matrix initialised to exactly 0 (the last layer of a residual branch, a zero-init
    # head) gives every layer before it a zero gradient at first, by design: not a depth ratio
    zero_init = {i for i, w in enumerate(weights[0]) if w == 0} if weights else set()
    return [r for group in by_model.values() if len(group) >= 3 and not zero_init.intersection(group)
            for r in [_depth_ratio(run, group, rows)] if r]


def _depth_finding(run: RunData, found: tuple[float, int, int, float, float], *, rule: str, category: str, title: str,
                   bound: str, hypothesis: str, suggestion: str, caveat: str = "") -> Finding:
    """A finding on the first/last RMS gradient ratio of one model (see _depth_ratio)."""
    ratio, first, last, first_rms, last_rms = found
    names = run.tensor_names
    return Finding(
        rule=rule,
        category=category,
        severity="warning",
        confidence=0.7,
        step=0,
        where=names[first],
        title=title,
        observation=(
            f"In the first steps the RMS gradient of {names[first]} was {fmt(first_rms)}, "
            f"that of {names[last]} {fmt(last_rms)}: a ratio of {fmt(ratio)} ({bound}, two orders of magnitude)."
        ),
        hypothesis=hypothesis,
        suggestion=suggestion,
        evidence={"first_rms": first_rms, "last_rms": last_rms, "ratio": ratio},
        caveat=" ".join(["Parameter order is taken as depth order (the order of model.parameters()).", caveat]).strip(),
        figures=["grad_heatmap"],
    )


@rule("gradients.exploding_depth", "exploding_gradients", needs=("grad_norms",))
def exploding_depth(run: RunData) -> list[Finding]:
    """Early layers get orders of magnitude larger gradients than the last layer (within one model)."""
    ratios = _depth_ratios(run)
    if not ratios or max(ratios)[0] <= T.GRAD_DEPTH_RATIO_HIGH:
        return []
    found = max(ratios)
    return [_depth_finding(
        run, found, rule="gradients.exploding_depth", category="exploding_gradients",
        title=f"early layers get {fmt(found[0])}x larger gradients than the last layer",
        bound=f"above {T.GRAD_DEPTH_RATIO_HIGH:g}",
        hypothesis=(
            "The backward signal grows through depth or time: layer (or recurrent) Jacobians with gain "
            "above 1, from weights initialised too large for their fan-in, or a recurrent matrix whose "
            "spectral radius exceeds 1, multiplied over many layers or time steps."
        ),
        suggestion="Initialise with the fan-in scaling (PyTorch's defaults, Xavier/Kaiming, orthogonal for recurrent "
                   "weights), add normalization or residual connections, or clip gradients by norm.",
        caveat="Unnormalised inputs also enlarge the first layer's gradient (see input_scale).",
    )]


@rule("gradients.exploding_time", "exploding_gradients", needs=("recurrence",))
def exploding_time(run: RunData) -> list[Finding]:
    """A recurrent module's backward signal grows by an order of magnitude through time at init."""
    rows = [m for r in run.records("recurrence") for m in r.get("modules", []) if to_float(m.get("ratio")) > T.GRAD_TIME_GROWTH]
    if not rows:
        return []
    worst = max(rows, key=lambda m: to_float(m["ratio"]))
    ratio, steps = to_float(worst["ratio"]), int(worst["time_steps"])
    return [Finding(
        rule="gradients.exploding_time",
        category="exploding_gradients",
        severity="warning",
        confidence=0.75,
        step=0,
        where=worst["module"],
        title=f"the gradient of {worst['module']} grows {fmt(ratio)}x through {steps} time steps",
        observation=(
            f"At initialization the gradient of a random projection of {worst['module']}'s last output "
            f"({worst['kind']}, {steps} time steps) has RMS {fmt(to_float(worst['first_rms']))} at the first "
            f"input step and {fmt(to_float(worst['last_rms']))} at the last: it grows {fmt(ratio)}x on its way "
            f"back through {steps - 1} recurrent steps (above {T.GRAD_TIME_GROWTH:g}x; healthy recurrent "
            "modules let it fade with distance in time)."
        ),
        hypothesis=(
            "The recurrent Jacobians have gain above 1 (a recurrent weight matrix with spectral radius "
            "above 1, e.g. initialised with a gain for feed-forward layers), so gradients explode through "
            "time and the first updates are far too large."
        ),
        suggestion="Initialise the recurrent weights with spectral radius at most 1 (orthogonal with gain 1, "
                   "or identity for a ReLU RNN), use an LSTM/GRU, or clip gradients by norm.",
        evidence={"module": worst["module"], "ratio": ratio, "time_steps": steps},
        caveat="Measured once, at the initial weights, on up to 8 sequences of the first batch; "
               "training may move the recurrent weights into or out of this regime.",
        figures=["grad_norm"],
    )]


def _compensated(run: RunData, first: int, last: int) -> bool:
    """Whether an adaptive optimizer (Adam, RMSprop) made up for the first matrix's small gradient
    by dividing each gradient by its own scale, judged over the first 10 steps with per-tensor
    records: the first matrix moved, relative to its weights, at least as fast as the last one; or
    its entries moved by steps of the same order as the last one's (at least
    ``ADAPTIVE_STEP_PARITY`` of them: its relative update is then smaller only because its entries
    are larger, as fan-in initialisation makes a first layer's) while the loss at least halved.
    Either way the updates must come from the gradient: a weight decay added to it (coupled) that
    exceeds the first matrix's gradient would drive the same updates toward 0."""
    def early(key: str, index: int, scale: bool = False) -> float:
        _, rows = per_tensor(run, key)
        return median([rms_entry(run, index, r) if scale else r[index] for r in rows[:10] if index < len(r)])

    pull = coupled_decay(run) * early("param_norms", first)  # |decay * W|
    if pull >= early("grad_norms", first):
        return False
    if early("update_ratio", first) >= early("update_ratio", last) > 0:
        return True
    trend = loss_trend(run)
    progress = loss_progress(trend["initial"], trend["late"]) if trend else math.nan
    return (early("update_norms", first, scale=True) >= T.ADAPTIVE_STEP_PARITY * early("update_norms", last, scale=True) > 0
            and progress >= T.COMPENSATED_PROGRESS)


@rule("gradients.vanishing_depth", "vanishing_gradients", needs=("grad_norms",))
def vanishing_depth(run: RunData) -> list[Finding]:
    """Early layers get orders of magnitude smaller gradients than late layers (within one model),
    and, where updates were measured, smaller relative updates too."""
    # an adaptive optimizer (Adam, RMSprop) divides each gradient by its own scale: early layers
    # whose relative updates are at least the last layer's learn as fast, however small their
    # gradient (unless it falls below Adam's eps, where the division stops compensating, or below
    # a coupled weight decay, which then makes the updates)
    ratios = [r for r in _depth_ratios(run) if not _compensated(run, r[1], r[2])]
    if not ratios or min(ratios)[0] >= T.GRAD_DEPTH_RATIO_LOW:
        return []
    found = min(ratios)
    return [_depth_finding(
        run, found, rule="gradients.vanishing_depth", category="vanishing_gradients",
        title=f"early layers get {fmt(1 / found[0])}x smaller gradients than the last layer",
        bound=f"below {T.GRAD_DEPTH_RATIO_LOW:g}",
        hypothesis=(
            "The backward signal shrinks through depth: saturating activations (sigmoid/tanh), "
            "an initialization too small for the depth, or a deep plain network without normalization or skip connections."
        ),
        suggestion="Use ReLU-family activations with He (Kaiming) initialization, add normalization layers or residual connections.",
        caveat="Not reported when an adaptive optimizer makes up for the small gradient: the early layers' updates, "
               "relative to their weights, are at least the last layer's, or their steps per entry are of the same "
               "order while the loss at least halves.",
    )]


def activation_gradient_ratio(run: RunData) -> tuple[float, str, str] | None:
    """(RMS gradient at the first hidden activation over that at the last, their names) at step 0,
    from ``unit_health``'s ``grad_rms``; None without two activations with a gradient."""
    record = next((r for r in run.records("unit_health") if r.get("step") == 0), None)
    rows = [r for r in (record or {}).get("layers", []) if to_float(r.get("grad_rms", math.nan)) > 0]
    if len(rows) < 2:
        return None
    first, last = rows[0], rows[-1]
    return to_float(first["grad_rms"]) / to_float(last["grad_rms"]), first["name"], last["name"]


@rule("gradients.exploding_activations", "exploding_gradients", needs=("unit_health",))
def exploding_activations(run: RunData) -> list[Finding]:
    """At step 0 the gradient reaching the first hidden activation is orders of magnitude larger
    than at the last: it grows on its way back, through depth or through the time steps of a
    recurrence written by hand (one activation per step, no recurrent module to measure)."""
    found = activation_gradient_ratio(run)
    if found is None or exploding_depth.fn(run) or found[0] <= T.GRAD_DEPTH_RATIO_HIGH:
        return []  # the parameters' depth ratio already says it
    ratio, first, last = found
    return [
        Finding(
            rule="gradients.exploding_activations",
            category="exploding_gradients",
            severity="warning",
            confidence=0.7,
            step=0,
            where=first,
            title=f"the gradient grows {fmt(ratio)}x on its way back from {last} to {first}",
            observation=(
                f"In the first backward pass the RMS gradient of the output of {first} (the first hidden activation "
                f"in forward order) was {fmt(ratio)} times that of {last} (the last), above "
                f"{T.GRAD_DEPTH_RATIO_HIGH:g}: each activation passes back a larger gradient than it receives."
            ),
            hypothesis=(
                "The weights between the activations amplify the backward signal: in a recurrence written by hand, a "
                "recurrent weight matrix whose gain is above 1 (initialised with the input's fan-in, or without scaling); "
                "in a deep stack, weights initialised too large for its depth."
            ),
            suggestion="Initialise recurrent weights orthogonally (or scaled to spectral radius below 1), clip gradient "
                       "norms, or use a gated cell (nn.GRU, nn.LSTM).",
            evidence={"ratio": ratio, "first": first, "last": last},
            caveat="Measured once, at step 0, on the activations traindebug recognises (ReLU, tanh, sigmoid).",
        )
    ]


@rule("gradients.vanishing_everywhere", "vanishing_gradients", needs=("loss", "update_ratio", "grad_norms", "param_norms"))
def vanishing_everywhere(run: RunData) -> list[Finding]:
    """Every layer's gradient is tiny next to its weights, the weights barely move and the loss
    does not fall: not the step size (``lr.steps_too_small`` wants a healthy gradient), the
    gradient itself. A deep stack of saturating layers can shrink the gradient of the last
    layer too, when every sample reaches it as nearly the same vector: no depth ratio then."""
    trend = loss_trend(run)
    if trend is None or trend["non_finite_step"] >= 0 or vanishing_depth.fn(run):
        return []  # the depth ratio already says it
    gradient = grad_to_weight(run)
    ratio = median(update_ratios(run)[1])
    progress = loss_progress(trend["initial"], trend["late"])
    if not (gradient < T.LR_LOW_HEALTHY_GRAD_RATIO and 0 <= ratio < T.HEALTHY_UPDATE_RATIO
            and progress < T.LR_LOW_LOSS_PROGRESS):
        return []
    return [
        Finding(
            rule="gradients.vanishing_everywhere",
            category="vanishing_gradients",
            severity="warning",
            confidence=0.6,
            step=0,
            title=f"gradients are {fmt(gradient)} of the weights (median over layers), and the loss does not move",
            observation=(
                f"The median gradient-to-weight norm ratio of the weight matrices was {fmt(gradient)} (healthy runs: "
                f"1e-3 to 1; below {T.LR_LOW_HEALTHY_GRAD_RATIO:g} here), the median update-to-weight ratio "
                f"{fmt(ratio)}, and over {len(run.steps)} steps the loss went from {fmt(trend['initial'])} to "
                f"{fmt(trend['late'])} (late median), a change of {fmt(100 * progress)} %."
            ),
            hypothesis=(
                "The gradient that reaches the weights is too small to train them, in the last layer as well as the "
                "first: typically a deep stack of saturating activations (sigmoid, tanh) that maps every sample to "
                "nearly the same vector, so the output hardly depends on the input, or a loss scaled far down."
            ),
            suggestion=(
                "Use ReLU-family activations (or normalization layers) in deep stacks; print the spread of the last "
                "hidden layer over a batch: near zero means every sample looks the same to the head."
            ),
            evidence={"grad_to_weight": gradient, "update_ratio": ratio, "initial_loss": trend["initial"],
                      "late_loss": trend["late"]},
            caveat="A run that starts at its optimum also has tiny gradients and a flat loss; so does a loss "
                   "multiplied by a tiny constant (then the learning rate, scaled up, makes up for it).",
            figures=["loss", "update_ratio"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [exploding, clip_after_update, exploding_depth, exploding_time, exploding_activations, vanishing_depth,
            vanishing_everywhere]

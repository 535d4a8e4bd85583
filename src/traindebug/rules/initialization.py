"""bad_init_scale: logits, activations or an output distribution mis-scaled at initialization."""

from __future__ import annotations

import math

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, rule
from traindebug.store import RunData, to_float

WEIGHTED = ("Linear", "Conv1d", "Conv2d", "Conv3d", "Bilinear", "LazyLinear")


@rule("init.loss_vs_chance", "bad_init_scale", needs=("loss_fn",))
def loss_vs_chance(run: RunData) -> list[Finding]:
    """The initial classification loss is far above chance level (ln(C) for a plain mean cross-entropy)."""
    info = run.last("loss_fn") or {}
    chance, initial = info.get("chance_loss"), to_float(info.get("initial_loss"))
    if not chance or not math.isfinite(initial) or initial <= T.INIT_LOSS_OVER_CHANCE * chance:
        return []
    return [
        Finding(
            rule="init.loss_vs_chance",
            category="bad_init_scale",
            severity="warning",
            confidence=0.75,
            step=0,
            title=f"initial loss {fmt(initial)} is {fmt(initial / chance)}x the chance level",
            observation=(
                f"The first {info.get('name')} loss was {fmt(initial)}; a model that predicts all "
                f"{info.get('classes')} classes equally has loss {fmt(chance)} with the same loss options "
                f"(ln({info.get('classes')}) = {fmt(math.log(info.get('classes') or 2))} for a plain mean)."
            ),
            hypothesis="The output logits are far too large at initialization: an output layer initialized at too large a scale, or inputs that are not normalized.",
            suggestion="Scale down the last layer's initial weights (or zero them), and normalize the inputs; the first loss should be close to ln(C).",
            evidence={"initial_loss": initial, "chance_loss": chance, "classes": info.get("classes")},
            caveat="With a strongly imbalanced label set a good initial loss is below ln(C); this rule only flags losses far above it.",
            figures=["activation_std"],
        )
    ]


#: regression losses whose input is the prediction itself, on the targets' scale
REGRESSION_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")


def amplifying_recurrence(run: RunData) -> bool:
    """A recurrence amplifies its signal through time (exploding_gradients' measurement): it makes
    large outputs itself, so they are judged there, as the cause, not as the initial scale."""
    return any(to_float(m.get("ratio")) > T.GRAD_TIME_GROWTH for r in run.records("recurrence") for m in r.get("modules", []))


@rule("init.output_vs_target", "bad_init_scale", needs=("loss_input",))
def output_vs_target(run: RunData) -> list[Finding]:
    """A regression model's first predictions are far larger than its targets."""
    first = next((r for r in run.records("loss_input") if r.get("name") in REGRESSION_LOSSES), None)
    if first is None:
        return []
    output, target = to_float(first.get("input_rms")), to_float(first.get("target_rms"))
    if not (math.isfinite(output) and target > 0 and output > T.INIT_OUTPUT_OVER_TARGET * target):
        return []
    if amplifying_recurrence(run):
        return []
    return [
        Finding(
            rule="init.output_vs_target",
            category="bad_init_scale",
            severity="warning",
            confidence=0.65,
            step=int(first.get("step", 0)),
            title=f"the first predictions are {fmt(output / target)}x larger than the targets (RMS {fmt(output)} vs {fmt(target)})",
            observation=(
                f"At the first training call of {first['name']} (step {first.get('step', 0)}) the model's outputs had RMS "
                f"{fmt(output)} and the targets {fmt(target)} (mean {fmt(to_float(first.get('target_mean')))}): "
                f"the initial loss is dominated by the outputs' own scale, not by what the model has yet to learn."
            ),
            hypothesis="The model's output is mis-scaled at initialization: an output layer or a residual stream "
                       "initialised with weights far too large (an absolute std instead of one scaled by the fan-in), "
                       "or inputs that are not normalized.",
            suggestion="Initialise the last layer small (or zero) and the others scaled by their fan-in; check the "
                       "activation std through depth at step 0 (logbook figure) for where the scale grows.",
            evidence={"output_rms": output, "target_rms": target, "loss": first["name"]},
            caveat="Targets far below unit scale (a quantity in a unit too large) give the same picture with a "
                   "healthy init: then it is the targets that need scaling (input_scale). Large targets against small "
                   "first outputs are the opposite case and are not reported here.",
            figures=["activation_std"],
        )
    ]


@rule("init.activation_scale", "bad_init_scale", needs=("activations",))
def activation_scale(run: RunData) -> list[Finding]:
    """Activations of weighted layers explode or vanish through depth at step 0."""
    first = run.records("activations")[0]
    rows = [r for r in first["modules"] if r["kind"] in WEIGHTED and math.isfinite(to_float(r["std"]))]
    if len(rows) < 2:
        return []
    stds = [to_float(r["std"]) for r in rows]
    top = max(range(len(rows)), key=lambda i: stds[i])
    # vanishing is judged on the hidden layers: the last layer sets the output's scale, and a small
    # output init (logits or embeddings near 0, an initial loss at chance) is a deliberate choice;
    # so is a layer with exactly zero output (a residual branch's zero-initialised last layer). A
    # model with several output heads (an actor-critic's policy and value) has more than one last layer
    live = [i for i in range(len(rows) - 1) if stds[i] > 0 and not rows[i].get("head")]
    first, last = (live[0], live[-1]) if live else (0, 0)
    ratio = stds[last] / stds[first] if live else math.inf
    if stds[top] > T.INIT_ACTIVATION_STD_HIGH and not amplifying_recurrence(run):
        what, where, value = "explode", rows[top]["module"], stds[top]
        detail = f"the output std of {where} was {fmt(value)} (above {T.INIT_ACTIVATION_STD_HIGH:g})"
    elif len(live) >= 3 and ratio < T.INIT_ACTIVATION_DEPTH_RATIO_LOW:
        what, where, value = "vanish", rows[last]["module"], ratio
        detail = (f"the output std fell from {fmt(stds[first])} ({rows[first]['module']}) to {fmt(stds[last])} ({where}, "
                  f"the last hidden layer), a ratio of {fmt(ratio)}")
    else:
        return []
    profile = ", ".join(f"{r['module']} {fmt(s)}" for r, s in zip(rows, stds))
    return [
        Finding(
            rule="init.activation_scale",
            category="bad_init_scale",
            severity="warning",
            confidence=0.7,
            step=0,
            where=where,
            title=f"activations {what} through depth at initialization",
            observation=f"At step 0 {detail}. Output std per layer: {profile}.",
            hypothesis=(
                "The weights' initial scale does not preserve the signal's variance through the layers "
                "(He/Kaiming init keeps it for ReLU, Xavier/Glorot for tanh)."
            ),
            suggestion="Initialize with nn.init.kaiming_normal_ (ReLU) or xavier_normal_ (tanh/sigmoid), or add normalization layers.",
            evidence={"stds": dict(zip([r["module"] for r in rows], stds))},
            caveat="Unnormalized inputs produce the same picture; check the input-scale finding if there is one.",
            figures=["activation_std"],
        )
    ]


@rule("init.policy_vs_uniform", "bad_init_scale", needs=("activations",))
def policy_vs_uniform(run: RunData) -> list[Finding]:
    """A categorical distribution the model returns (a policy) starts far from uniform: its
    cross-entropy against a uniformly random class is far above ln(C), as for a classifier's
    initial loss (``init.loss_vs_chance``, the same bar)."""
    policy = run.records("activations")[0].get("categorical") or {}
    classes, value = int(policy.get("classes") or 0), to_float(policy.get("uniform_ce"))
    chance = math.log(classes) if classes >= 2 else math.nan
    if not value > T.INIT_LOSS_OVER_CHANCE * chance:
        return []
    return [
        Finding(
            rule="init.policy_vs_uniform",
            category="bad_init_scale",
            severity="warning",
            confidence=0.65,
            step=0,
            title=f"the initial policy is far from uniform: {fmt(value / chance)}x the cross-entropy of a uniform one",
            observation=(
                f"At step 0 the model returned a categorical distribution over {classes} classes whose mean -log p "
                f"(the cross-entropy against a uniformly random class) was {fmt(value)}; a uniform distribution has "
                f"ln({classes}) = {fmt(chance)}, and a healthy initialization starts close to it."
            ),
            hypothesis="The logits are far too large at initialization, so the distribution starts nearly deterministic: "
                       "an output layer initialised at too large a scale (for instance nn.init.normal_(w, 0.01), whose "
                       "second argument is the mean, not the std), or inputs that are not normalized. A policy that starts "
                       "deterministic hardly explores, and the log-probability gradients of its sampled actions are near zero.",
            suggestion="Initialise the output layer small (std 0.01, or zero) and check the logits' std at step 0; the "
                       "initial entropy should be close to ln(C).",
            evidence={"uniform_ce": value, "chance_loss": chance, "classes": classes},
            caveat="A policy initialised from a pretrained or behaviour-cloned model starts confident on purpose.",
            figures=["activation_std"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [loss_vs_chance, output_vs_target, activation_scale, policy_vs_uniform]

"""input_scale: inputs of the first layer or regression targets far from unit scale."""

from __future__ import annotations

import math
from typing import Any

from traindebug import thresholds as T
from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, fmt, rule
from traindebug.rules.learning_rate import loss_trend
from traindebug.rules.loss_output_mismatch import REGRESSION, loss_inputs
from traindebug.store import RunData, to_float

CAVEAT_INPUTS = "Only the first weighted layer's input is measured; a model that rescales its input in code before that layer (x / 255 inside forward) is measured after the rescaling."


def _input_finding(kind: str, title: str, observation: str, hypothesis: str, evidence: dict[str, Any], where: str) -> Finding:
    return Finding(
        rule=f"input_scale.{kind}",
        category="input_scale",
        severity="warning",
        confidence=0.75,
        step=0,
        where=where,
        title=title,
        observation=observation,
        hypothesis=hypothesis,
        suggestion=(
            "Standardize the inputs with statistics of the training set (per feature or per channel: "
            "(x - mean) / std, e.g. sklearn StandardScaler or transforms.Normalize), or add a normalization layer first."
        ),
        evidence=evidence,
        caveat=CAVEAT_INPUTS,
        figures=["activation_std"],
    )


@rule("input_scale.features", "input_scale", needs=("input_stats",))
def feature_scale(run: RunData) -> list[Finding]:
    """Some input feature's RMS is far above unit scale, or every feature is tiny."""
    # inputs holding NaN/Inf are non_finite's (non_finite.first names them), not a matter of scale
    records = [r for r in run.records("input_stats") if math.isfinite(to_float(r["feature_rms_max"]))]
    if not records:
        return []
    worst = max(records, key=lambda r: to_float(r["feature_rms_max"]))
    top, mid = to_float(worst["feature_rms_max"]), to_float(worst["feature_rms_median"])
    offset, spread = to_float(worst["abs_mean_max"]), to_float(worst["std_max"])
    numbers = (
        f"into {worst['module']} ({worst['module_type']}, {worst['features']} features): overall RMS {fmt(to_float(worst['rms']))}, "
        f"largest per-feature RMS {fmt(top)}, median per-feature RMS {fmt(mid)}, largest |mean| {fmt(offset)}, largest std {fmt(spread)}"
    )
    evidence = {"feature_rms_max": top, "feature_rms_median": mid, "abs_mean_max": offset, "std_max": spread, "step": worst["step"]}
    if top > T.INPUT_RMS_HIGH:
        cause = "a large constant offset" if offset > 3 * spread else "a large spread of values"
        mixed = mid * 10 < top
        return [
            _input_finding(
                "large",
                f"inputs are far from unit scale (feature RMS up to {fmt(top)})",
                f"At step {worst['step']} the batch going {numbers}. Features near unit scale have RMS about 1; "
                f"above {T.INPUT_RMS_HIGH:g} the first layer's pre-activations scale up with them.",
                f"The inputs are not normalized ({cause}"
                + ("; features live on very different scales" if mixed else "")
                + "): raw pixel values 0-255, physical units, or an offset left in. Large inputs make the first "
                "layer's gradients large and the usable learning rate small.",
                evidence,
                worst["module"],
            )
        ]
    if top < T.INPUT_RMS_LOW:
        return [
            _input_finding(
                "tiny",
                f"inputs are almost zero (feature RMS at most {fmt(top)})",
                f"At step {worst['step']} the batch going {numbers}.",
                "The inputs were scaled down twice (e.g. divided by 255 twice) or are in a unit far too large: "
                "the first layer sees almost no signal and its weights learn slowly.",
                evidence,
                worst["module"],
            )
        ]
    return []


@rule("input_scale.squeezed", "input_scale", needs=("input_stats",))
def squeezed_features(run: RunData) -> list[Finding]:
    """Some input features vary orders of magnitude less than others, in every early batch."""
    records = [r for r in run.records("input_stats")
               if to_float(r.get("std_min")) > 0 and math.isfinite(to_float(r["std_max"])) and to_float(r["std_max"]) > 0]
    if not records:
        return []
    ratios = [to_float(r["std_min"]) / to_float(r["std_max"]) for r in records]
    worst = max(ratios)  # the least squeezed batch: every batch must show it
    if not worst < T.SQUEEZED_FEATURE_RATIO:
        return []
    first = records[0]
    return [
        _input_finding(
            "squeezed",
            f"some input features vary {fmt(1 / worst)}x less than others",
            f"In each of {len(records)} measured batches going into {first['module']} ({first['module_type']}, "
            f"{first['features']} features) the smallest per-feature std was at most {fmt(worst)} of the largest "
            f"(first batch: {fmt(to_float(first['std_min']))} against {fmt(to_float(first['std_max']))}).",
            "The features were scaled together instead of one by one (one mean and std over the whole matrix, where a "
            "large-valued column dominates), or left in units of very different size: the squeezed features reach the "
            "first layer as near-constants, and their signal is lost beside the others.",
            {"std_ratio": worst, "std_min": to_float(first["std_min"]), "std_max": to_float(first["std_max"])},
            first["module"],
        )
    ]


@rule("input_scale.constant", "input_scale", needs=("input_constant", "input_stats"))
def constant_features(run: RunData) -> list[Finding]:
    """Most input features never change over all observed batches."""
    info = run.last("input_constant") or {}
    fraction = to_float(info.get("fraction"))
    if not fraction > T.INPUT_CONSTANT_FRACTION:
        return []
    module = run.records("input_stats")[0]["module"]
    return [
        _input_finding(
            "constant",
            f"{fraction:.0%} of the input features never change",
            f"Over all observed batches, {fraction:.0%} of the {info.get('features')} features going into {module} "
            f"had the same value in every sample.",
            "The input pipeline drops the signal: a wrong column selection, features zeroed or overwritten, "
            "or the same sample repeated across the batch.",
            {"constant_fraction": fraction, "features": info.get("features")},
            module,
        )
    ]


def _targets(run: RunData) -> dict[str, Any] | None:
    """What is known of the regression targets: from a torch regression loss's inputs, else from
    the residual of a loss written by hand (``loss_graph``), when it is the target's own scale
    (the prediction an order of magnitude smaller)."""
    name, records = loss_inputs(run)
    if name in REGRESSION:
        return {"name": name, "squared": name == "mse_loss",
                "rms": max(to_float(r.get("target_rms")) for r in records),
                "std": max(to_float(r.get("target_std")) for r in records),
                "mean": to_float(records[0].get("target_mean")),
                "prediction": max(to_float(r.get("input_rms")) for r in records)}
    found = (run.last("loss_graph") or {}).get("residual")
    if not found or name:  # a torch loss function was seen: its inputs speak, not a residual
        return None
    rms, prediction = to_float(found.get("rms")), to_float(found.get("output_rms"))
    if not prediction * T.TARGET_OVER_PREDICTION < rms:
        return None  # a residual the size of the prediction: the model's scale, not the target's
    return {"name": f"the hand-written {found.get('kind')}-error loss", "squared": found.get("kind") == "squared",
            "rms": rms, "std": to_float(found.get("std")), "mean": to_float(found.get("target_mean")), "prediction": prediction}


@rule("input_scale.targets", "input_scale", needs=("loss",))
def target_scale(run: RunData) -> list[Finding]:
    """Regression targets far from unit scale while the fit stays poor relative to their variance."""
    targets = _targets(run)
    if targets is None:
        return []
    name, rms, std, pred = targets["name"], targets["rms"], targets["std"], targets["prediction"]
    trend = loss_trend(run)
    if not rms > T.TARGET_RMS_HIGH or trend is None or not std > 0:
        return []
    unexplained = trend["late"] / std**2 if targets["squared"] else (trend["late"] / std) ** 2
    if unexplained < T.TARGET_UNEXPLAINED_FRACTION:
        return []
    measured = "" if name in REGRESSION else " (measured as the residual prediction - target at step 0)"
    return [
        Finding(
            rule="input_scale.targets",
            category="input_scale",
            severity="warning",
            confidence=0.7,
            step=0,
            title=f"regression targets are {fmt(rms / max(pred, 1e-12))}x larger than the initial predictions",
            observation=(
                f"The targets of {name} had RMS {fmt(rms)} (std {fmt(std)}, mean {fmt(targets['mean'])}){measured}; "
                f"the model's first predictions had RMS {fmt(pred)}. Late in the run the loss was {fmt(trend['late'])}, "
                f"{fmt(unexplained)} of the targets' variance still unexplained."
            ),
            hypothesis=(
                "The targets are not standardized: the output layer must grow by orders of magnitude, the initial loss "
                "and gradients are huge, and the learning rate that is stable for them is too small for the rest of the network."
            ),
            suggestion="Standardize the targets ((y - mean) / std on the training set) and undo it for predictions, or scale them to about unit range.",
            evidence={"target_rms": rms, "target_std": std, "prediction_rms": pred, "unexplained_fraction": unexplained},
            caveat="Targets were measured on the first few batches only; a run that is only short of steps can look the same.",
            figures=["loss"],
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [feature_scale, squeezed_features, constant_features, target_scale]

"""Run the rules over a run's metrics, then rank: root cause before symptom.

Ranking: a finding whose category is a known consequence of another finding's
category (``CAUSES``) is marked ``explained_by`` that finding and placed after
it (of two that could explain each other, the more severe, then the earlier;
the symptoms of one cause in the order of their own chain);
the rest are ordered by severity, then by how specific the category is
(``SPECIFICITY``: a bug in the code before a symptom of the dynamics), then by
the step where it began.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from traindebug import thresholds as T
from traindebug.findings import Finding, severity_rank
from traindebug.plugins import collect_rules
from traindebug.store import RunData, to_float

#: cause -> the categories it typically produces as symptoms
CAUSES: dict[str, tuple[str, ...]] = {
    "script_error": ("non_finite", "underfitting"),
    "wrong_gradient": ("lr_too_high", "exploding_gradients", "non_finite", "underfitting", "lr_too_low"),
    "batch_mixing": ("label_problem", "underfitting", "overfitting"),
    "loss_output_mismatch": ("lr_too_low", "vanishing_gradients", "underfitting", "label_problem", "saturated_units", "bad_init_scale"),
    "label_problem": ("underfitting", "lr_too_low", "overfitting"),
    "input_scale": ("bad_init_scale", "exploding_gradients", "vanishing_gradients", "non_finite", "dead_units", "saturated_units", "lr_too_high", "lr_too_low", "underfitting", "no_gradient_flow"),
    "symmetric_init": ("underfitting", "lr_too_low", "label_problem", "vanishing_gradients", "dead_units", "no_gradient_flow"),
    "missing_zero_grad": ("lr_too_high", "exploding_gradients", "non_finite", "underfitting", "dead_units"),
    "wrong_mode": ("underfitting", "overfitting", "lr_too_high"),
    "no_gradient_flow": ("underfitting", "lr_too_low", "frozen_or_unoptimized", "label_problem", "vanishing_gradients"),
    "frozen_or_unoptimized": ("underfitting", "lr_too_low", "label_problem"),
    "unshuffled_data": ("lr_too_high", "underfitting", "label_problem"),
    "over_regularization": ("underfitting", "lr_too_low", "vanishing_gradients", "label_problem"),
    "bad_init_scale": ("exploding_gradients", "vanishing_gradients", "non_finite", "dead_units", "saturated_units", "lr_too_high", "underfitting", "label_problem"),
    "lr_too_high": ("non_finite", "exploding_gradients", "dead_units", "saturated_units", "underfitting", "label_problem"),
    "lr_too_low": ("underfitting", "label_problem"),
    "exploding_gradients": ("non_finite", "dead_units", "lr_too_high", "over_regularization"),
    "vanishing_gradients": ("underfitting", "lr_too_low", "label_problem"),
    "dead_units": ("underfitting", "vanishing_gradients", "label_problem", "no_gradient_flow", "lr_too_low"),
    "saturated_units": ("vanishing_gradients", "underfitting", "label_problem", "lr_too_low", "no_gradient_flow"),
}

#: causes of gradients that are exactly zero, never of gradients that are never made (None):
#: a dead ReLU, identical units, or a softmax/sigmoid saturated to exactly 0 or 1 in float32
#: (inputs in the thousands: a mixture-of-experts gate on raw features, heldout31, routed every
#: sample to one expert, and the others' gradients were exactly zero). Not a mis-scaled init:
#: an initial loss a few times chance saturates nothing, and it took the place of the cause in
#: front of sign() codes (heldout11), whose derivative is zero everywhere
ZERO_GRADIENT_CAUSES = ("dead_units", "symmetric_init", "saturated_units", "input_scale")
#: causes that act only through the optimizer's updates
UPDATE_CAUSES = ("lr_too_high", "exploding_gradients", "missing_zero_grad")
#: findings read off a loss that does not fall, which a model whose layers compose to one linear
#: map (an underfitting finding with ``linear_layers`` in its evidence: an activation missing)
#: explains whatever the step size looks like
LINEAR_MODEL_EXPLAINS = ("lr_too_high", "lr_too_low")

#: most specific (a bug in the code) first, generic symptoms last
SPECIFICITY = (
    "script_error",
    "wrong_gradient",
    "batch_mixing",
    "loss_output_mismatch",
    "missing_zero_grad",
    "no_gradient_flow",
    "frozen_or_unoptimized",
    "wrong_mode",
    "symmetric_init",
    "input_scale",
    "label_problem",
    "unshuffled_data",
    "over_regularization",
    "bad_init_scale",
    "lr_too_high",
    "lr_too_low",
    "non_finite",
    "exploding_gradients",
    "vanishing_gradients",
    "dead_units",
    "saturated_units",
    "overfitting",
    "underfitting",
)


@dataclass
class Verdict:
    """The ranked findings of one run, plus what the rules could not check."""

    run: RunData
    findings: list[Finding]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rule_errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The findings.json document (contract fields plus extras)."""
        meta, end = self.run.meta, self.run.end
        return {
            "traindebug_version": meta.get("traindebug_version", ""),
            "script": meta.get("script", ""),
            "argv": meta.get("argv", []),
            # no end record: the process died before it could write one (kill -9, OOM);
            # the contract's status values stay as they are, "killed" says why
            "status": end.get("status", "interrupted"),
            "killed": not end,
            "steps": end.get("steps", len(self.run.steps)),
            "wall_time_s": end.get("wall_time_s"),
            "overhead_s": end.get("overhead_s"),
            "device": end.get("device", "cpu"),
            "findings": [f.to_dict() for f in self.findings],
            "skipped_rules": self.skipped,
            "rule_errors": self.rule_errors,
        }


def judge(run_dir: Path, pm: pluggy.PluginManager) -> Verdict:
    """Load a run's metrics, run every rule, rank the findings."""
    run = RunData.load(run_dir / "metrics.jsonl")
    findings: list[Finding] = []
    skipped: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for r in collect_rules(pm):
        missing = r.missing(run)
        if missing:
            skipped.append({"rule": r.name, "missing": missing})
            continue
        try:
            findings.extend(r.fn(run))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others
            errors.append({"rule": r.name, "error": f"{type(exc).__name__}: {exc}"})
    return Verdict(run=run, findings=rank(merge(findings)), skipped=skipped, rule_errors=errors)


def merge(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per (category, where): the most severe, then most confident."""
    best: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        key = (f.category, f.where)
        old = best.get(key)
        if old is None or (severity_rank(f.severity), f.confidence) > (severity_rank(old.severity), old.confidence):
            best[key] = f
    return list(best.values())


def rank(findings: list[Finding]) -> list[Finding]:
    """Order root causes before the symptoms they explain; assign ids F1, F2, ..."""

    def base_key(f: Finding) -> tuple:
        spec = SPECIFICITY.index(f.category) if f.category in SPECIFICITY else len(SPECIFICITY)
        return (-severity_rank(f.severity), spec, f.step if f.step is not None else 0)

    ordered = sorted(findings, key=base_key)
    cause_of: dict[int, Finding] = {}
    for f in ordered:
        for cause in ordered:
            if cause is f or cause.severity == "info" or id(cause) in cause_of:
                continue
            if _can_explain(cause, f):
                cause_of[id(f)] = cause
                break
    result: list[Finding] = []
    for root in (f for f in ordered if id(f) not in cause_of):
        result.append(root)
        result.extend(_chain_order([f for f in ordered if cause_of.get(id(f)) is root]))
    result.extend(f for f in ordered if f not in result)
    for i, f in enumerate(result, 1):
        f.id = f"F{i}"
        f.explained_by, f.explains = None, []
    for f in result:
        cause = cause_of.get(id(f))
        if cause is not None:
            f.explained_by = cause.id
            cause.explains.append(f.id)
    return result


def _chain_order(symptoms: list[Finding]) -> list[Finding]:
    """The symptoms of one root cause, each after those of its siblings that lead to it one way
    (``CAUSES``: exploding gradients before the NaN they end in), else in the order given."""

    def upstream(f: Finding) -> int:
        return sum(1 for s in symptoms if f.category in CAUSES.get(s.category, ())
                   and s.category not in CAUSES.get(f.category, ()))

    return sorted(symptoms, key=upstream)


def _can_explain(cause: Finding, symptom: Finding) -> bool:
    """The cause's category lists the symptom's (CAUSES), the evidence allows it, and it ranks first."""
    if _linear_model(cause) and symptom.category in LINEAR_MODEL_EXPLAINS:
        return True
    if _linear_model(symptom) and cause.category in LINEAR_MODEL_EXPLAINS:
        return False
    if symptom.category not in CAUSES.get(cause.category, ()):
        return False
    # a .grad that stays None needs a graph that does not reach the tensor
    if symptom.evidence.get("grad_none") and cause.category in ZERO_GRADIENT_CAUSES:
        return False
    # labels measured to be unrelated to their inputs: a property of the data, which no model or
    # training setting produces (batches sorted by label can make the measurement look so), unless
    # training itself was measured to fail
    if symptom.evidence.get("labels_unrelated") and not (cause.category == "unshuffled_data" or _training_fails(cause)):
        return False
    # too large or accumulated steps act through updates: a NaN before the first update (at step 0)
    # comes from the forward computation or the data
    if symptom.category == "non_finite" and symptom.step == 0 and cause.category in UPDATE_CAUSES:
        return False
    return _cause_ranks_first(cause, symptom)


def _training_fails(finding: Finding) -> bool:
    """Steps a large fraction of the weights, or gradients gone before the first layers: then the
    loss stays at the label prior whatever the labels, and the neighbour test on the raw inputs,
    which shows a relation only where raw distances carry it (not in point clouds or sets, whose
    points come in any order: heldout33's PointNet and Set Transformer), cannot tell unrelated
    labels from a model that learns nothing."""
    if finding.category == "lr_too_high":
        return to_float(finding.evidence.get("update_ratio", 0.0)) > T.UPDATE_RATIO_HIGH
    if finding.category == "vanishing_gradients":
        return 0 <= to_float(finding.evidence.get("ratio", 1.0)) < T.GRAD_DEPTH_RATIO_FAILED
    return False


def _linear_model(finding: Finding) -> bool:
    """An underfitting finding on a model that is one linear map (a code fault, not a dynamic)."""
    return finding.category == "underfitting" and finding.evidence.get("linear_layers", 0) >= 2


def _cause_ranks_first(cause: Finding, symptom: Finding) -> bool:
    """A cause explains a symptom unless the cause is the less specific of the two."""
    if symptom.category in CAUSES and cause.category in CAUSES.get(symptom.category, ()):
        # mutual (e.g. lr_too_high <-> exploding_gradients): the more severe one is the cause
        # (an error is a definite fault, a warning an inference), then the earlier one
        return (-severity_rank(cause.severity), cause.step or 0, SPECIFICITY.index(cause.category)) <= (
            -severity_rank(symptom.severity),
            symptom.step or 0,
            SPECIFICITY.index(symptom.category),
        )
    return True


def write_findings_json(path: Path, verdict: Verdict) -> None:
    """Write findings.json."""
    path.write_text(json.dumps(verdict.to_json(), indent=2, default=str), encoding="utf-8")

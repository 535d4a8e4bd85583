"""The Finding record, severities and the category names of the taxonomy."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "error")

#: The public category names (shared/taxonomy.md). Never rename or remove one.
CATEGORIES = (
    "lr_too_high",
    "lr_too_low",
    "exploding_gradients",
    "vanishing_gradients",
    "non_finite",
    "symmetric_init",
    "bad_init_scale",
    "dead_units",
    "saturated_units",
    "missing_zero_grad",
    "frozen_or_unoptimized",
    "no_gradient_flow",
    "wrong_gradient",
    "batch_mixing",
    "wrong_mode",
    "loss_output_mismatch",
    "label_problem",
    "input_scale",
    "unshuffled_data",
    "over_regularization",
    "overfitting",
    "underfitting",
    "script_error",
)


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for error."""
    return SEVERITIES.index(severity)


@dataclass
class Finding:
    """One diagnosis: what was measured, what it probably means, what to do next."""

    rule: str
    category: str
    severity: str
    title: str
    observation: str
    hypothesis: str
    suggestion: str
    confidence: float = 0.5
    step: int | None = None
    where: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    #: What the evidence does not allow to conclude (printed in the logbook).
    caveat: str = ""
    #: Names of figures (see logbook.figures) that illustrate this finding.
    figures: list[str] = field(default_factory=list)
    id: str = ""
    explained_by: str | None = None
    explains: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown finding category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_dict(self) -> dict[str, Any]:
        """The finding as it appears in findings.json."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        """Inverse of to_dict; unknown keys (from newer versions) are ignored."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

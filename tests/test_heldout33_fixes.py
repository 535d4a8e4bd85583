"""Fixes found by the thirty-third held-out set."""

from __future__ import annotations

from typing import Any

import pytest

from traindebug.engine import rank
from traindebug.findings import Finding
from traindebug.rules.labels import imbalance
from traindebug.store import RunData


def _finding(category: str, severity: str = "warning", **evidence: Any) -> Finding:
    return Finding(rule=category, category=category, severity=severity, title="", observation="", hypothesis="",
                   suggestion="", evidence=evidence)


@pytest.mark.parametrize(("cause", "explains"), [("lr_too_high", True), ("vanishing_gradients", True),
                                                 ("dead_units", False), ("underfitting", False)])
def test_labels_that_look_unrelated_are_explained_by_a_training_that_fails(cause: str, explains: bool) -> None:
    """A PointNet with seven sigmoid layers (gradient ratio 3e-7) and a Set Transformer with Adam at
    lr 0.1 (steps 14 % of the weights) stay at the label prior; the raw-input neighbour test
    cannot see the relation in point sets, and 'labels unrelated' (an error) ranked first."""
    ranked = rank([_finding("label_problem", "error", labels_unrelated=True), _finding(cause)])
    assert (ranked[0].category == cause and ranked[1].explained_by == ranked[0].id) is explains


def _labels(masked: bool) -> RunData:
    counts = [0.0, 0.0, 1782.0, 2394.0, 2706.0, 1260.0, 900.0, 600.0, 400.0, 246.0, 0.0]
    return RunData([{"kind": "labels", "counts": counts, "classes": len(counts), "name": "cross_entropy",
                     "weighted": False, "dense": False, "masked": masked}])


def test_positions_chosen_among_masked_scores_are_no_imbalanced_classes() -> None:
    """Span pointers: the target is a position, the scores of padding are -inf; start positions
    11:1 as frequent as each other were reported as imbalanced classes (heldout33, healthy)."""
    assert [f.category for f in imbalance.fn(_labels(masked=True))] == []
    assert [f.category for f in imbalance.fn(_labels(masked=False))] == ["label_problem"]

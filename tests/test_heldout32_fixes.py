"""Fixes found by the thirty-second held-out set."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from traindebug.probes.base import LossCall
from traindebug.probes.labels import LabelProbe


def _call(logits: torch.Tensor, target: torch.Tensor) -> LossCall:
    return LossCall(name="binary_cross_entropy_with_logits", fn=F.binary_cross_entropy_with_logits, input=logits,
                    target=target, kwargs={}, output=torch.tensor(0.7), training=True)


def test_ranknet_pairs_against_a_constant_target_are_not_labels() -> None:
    """LambdaRank/RankNet: BCE on s_i - s_j for ordered pairs, target 1 for every pair (heldout32's
    healthy LambdaRank got 'every training label is class 1', an error)."""
    scorer = nn.Linear(4, 1)
    scores = scorer(torch.randn(6, 4)).squeeze(-1)
    i, j = torch.triu_indices(6, 6, offset=1)
    pairs = (scores[:, None] - scores[None, :])[i, j]
    assert LabelProbe().ordered_pairs(_call(pairs, torch.ones_like(pairs)))
    # a difference with labels that vary (ability minus difficulty) is an ordinary binary label
    assert not LabelProbe().ordered_pairs(_call(pairs, (torch.arange(pairs.numel()) % 2).float()))
    # a constant target on ordinary scores is still counted (and reported as identical labels)
    assert not LabelProbe().ordered_pairs(_call(scores, torch.ones_like(scores)))

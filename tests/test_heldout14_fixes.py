"""Fixes found by the fourteenth held-out set: a NaN after a loss that was falling, the gains of
a weight-normed layer, weight decay that dominates all but a dense head, and a model that
returns a tuple to the batch-mixing check."""

from __future__ import annotations

import math
from typing import Any

from traindebug.rules.learning_rate import diverging
from traindebug.rules.over_regularization import decay_dominates
from traindebug.rules.symmetric_init import symmetric

from test_dynamics_rules import make_run, spread_steps, training


def _then_nan(before: list[float]) -> list[dict[str, Any]]:
    """Steps with the given losses, then non-finite ones, each update 0.15 of its weight."""
    return training(len(before) + 20, lambda i: before[i] if i < len(before) else math.nan, ratio=0.15)


def test_a_nan_after_a_falling_loss_is_not_divergence() -> None:
    falling = [0.69 - 0.4 * i / 140 for i in range(140)]  # 0.69 down to 0.29, then log(0)
    assert diverging.fn(make_run(_then_nan(falling))) == []
    # the same run whose loss grew for three steps before it overflowed
    rising = falling[:-3] + [0.5, 4.0, 300.0]
    assert [(f.category, f.severity) for f in diverging.fn(make_run(_then_nan(rising)))] == [("lr_too_high", "error")]


def test_the_gains_of_a_weight_normed_layer_are_not_symmetric_units() -> None:
    steps = spread_steps([0.0, -1, 0.0, -1], [0.0, -1, 0.0, -1])
    names = ["l1.parametrizations.weight.original0", "l1.parametrizations.weight.original1", "out.weight", "out.bias"]
    tensors = {"kind": "tensors", "step": 0, "names": names, "shapes": [[32, 1], [32, 8], [4, 32], [4]],
               "in_optimizer": [True] * 4}
    found = symmetric.fn(make_run(steps, [tensors]))
    # equal gains (original0) are fine; the output layer's identical rows are not
    assert [f.evidence["tensors"] for f in found] == [["out.weight"]]


def test_decay_that_dominates_all_but_a_dense_head_is_found() -> None:
    """Three conv kernels pulled 1x by Adam's decay 0.1, a head whose gradient is ten times larger."""
    names = ["c1.weight", "c2.weight", "c3.weight", "fc.weight"]
    steps = training(40, lambda i: 1.0 - 0.002 * i)
    for s in steps:
        s["grad_norms"], s["param_norms"] = [0.1, 0.1, 0.1, 1.0], [1.0] * 4
    records = [{"kind": "tensors", "step": 0, "names": names, "shapes": [[16, 16, 5]] * 3 + [[4, 32]],
                "in_optimizer": [True] * 4},
               {"kind": "optimizers", "step": 0, "optimizers": [{"type": "Adam", "groups": [{"lr": 1e-3, "weight_decay": 0.1}]}]}]
    assert [f.category for f in decay_dominates.fn(make_run(steps, records))] == ["over_regularization"]


ATTENTION_POOL = """
import torch
from torch import nn

class Pool(nn.Module):
    def __init__(self):
        super().__init__()
        self.feat, self.score, self.out = nn.Linear(8, 16), nn.Linear(16, 1), nn.Linear(16, 1)

    def forward(self, bags):                       # (bags, instances, features)
        h = torch.tanh(self.feat(bags))
        a = torch.softmax(self.score(h), dim=DIM)  # over the instances of a bag: dim=1
        return self.out((a * h).sum(1)).squeeze(-1), a.squeeze(-1)

torch.manual_seed(0)
x = torch.randn(256, 6, 8)
y = (x[:, :, 0].max(1).values > 1.5).float()
model = Pool()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    i = torch.randint(0, 256, (32,))
    logits, _ = model(x[i])
    loss = nn.functional.binary_cross_entropy_with_logits(logits, y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_model_that_returns_a_tuple_is_checked_for_batch_mixing(check) -> None:
    found = check(ATTENTION_POOL.replace("DIM", "0")).serious()
    assert [f["category"] for f in found][:1] == ["batch_mixing"]
    assert "batch_mixing" not in [f["category"] for f in check(ATTENTION_POOL.replace("DIM", "1"), name="ok.py").serious()]


def test_the_batch_of_a_sequence_first_model_is_not_guessed() -> None:
    """A (time, batch, features) output of a model with a batch_first=False GRU, against a target
    of the same shape: dimension 0 is time, which must not be taken for the batch."""
    import torch
    from torch import nn

    from traindebug.probes.base import LossCall
    from traindebug.probes.gradient_check import batch_size_for

    gru = nn.GRU(3, 8)
    output = (torch.randn(40, 16, 3), torch.randn(1, 16, 8))  # (prediction, hidden state)
    call = LossCall("mse_loss", nn.functional.mse_loss, output[0], torch.randn(40, 16, 3), {}, torch.tensor(1.0), True)
    assert batch_size_for(call, output, gru) is None
    # the same tuple from a batch-first model: the batch is dimension 0
    assert batch_size_for(call, output, nn.GRU(3, 8, batch_first=True)) == 40

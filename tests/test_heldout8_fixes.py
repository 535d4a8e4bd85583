"""Fixes found by the eighth held-out set: a ReLU RNN whose recurrent matrix is initialised with
a feed-forward gain explodes through time, which neither the growth of the gradient norm over
the steps nor its ratio between layers shows."""

from __future__ import annotations

import json

import pytest

RECURRENT = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.rand(128, 40, 1)
y = x.mean(1)
rnn = nn.{kind}(1, 32, batch_first=True{extra})
head = nn.Linear(32, 1)
if {gain}:
    nn.init.orthogonal_(rnn.weight_hh_l0, gain={gain})
opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)
for step in range(20):
    out, _ = rnn(x)
    loss = nn.functional.mse_loss(head(out[:, -1]), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize(("kind", "extra", "gain", "explodes"), [
    ("RNN", ', nonlinearity="relu"', 2.0, True),
    ("RNN", ', nonlinearity="relu"', 1.0, False),
    ("LSTM", "", 0, False),
])
def test_gradients_exploding_through_time_in_a_recurrent_module(check, kind: str, extra: str, gain: float,
                                                                 explodes: bool) -> None:
    result = check(RECURRENT.format(kind=kind, extra=extra, gain=gain))
    found = [f for f in result.findings if f["rule"] == "gradients.exploding_time"]
    assert [f["where"] for f in found] == (["RNN"] if explodes else [])  # two bare modules: named by type
    records = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    records = [r for r in records if r["kind"] == "recurrence"]
    assert [m["time_steps"] for m in records[0]["modules"]] == [40]

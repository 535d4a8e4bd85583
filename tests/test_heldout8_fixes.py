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


FUNCTIONAL = """
import torch
import torch.nn.functional as F

torch.manual_seed(0)
centres = torch.randn(4, 16) * 3
y = torch.randint(0, 4, (1024,))
x = (centres[y] + torch.randn(1024, 16)) * {scale}
if {shuffled}:
    y = y[torch.randperm(1024)]
W1 = (torch.randn(16, 32) / 4).requires_grad_()
W2 = (torch.randn(32, 4) / 6).requires_grad_()
for step in range(200):
    i = torch.randint(0, 1024, (64,))
    loss = F.cross_entropy(torch.relu(x[i] @ W1) @ W2, y[i])
    loss.backward()
    with torch.no_grad():
        for w in (W1, W2):
            w -= 0.05 * w.grad
            w.grad = None
"""


@pytest.mark.parametrize(("scale", "shuffled", "expected"), [
    (1.0, False, set()),
    (1.0, True, {"labels.no_signal"}),
    (255.0, False, {"input_scale.large"}),
])
def test_a_functional_models_input_is_found_in_the_autograd_graph(check, scale: float, shuffled: bool,
                                                                  expected: set[str]) -> None:
    # x @ W1 with plain tensors: no module to hook; label agreement and input scale still measured.
    # Batches are drawn with replacement: a sample drawn twice must not count as its own neighbour
    result = check(FUNCTIONAL.format(scale=scale, shuffled=shuffled))
    rules = {f["rule"] for f in result.serious()}
    assert expected <= rules
    assert not rules & ({"labels.no_signal", "input_scale.large"} - expected)


HAND_WRITTEN_LOSS = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(256, 4)
y = x.sum(1)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(30):
    pred = model(x[:64])
    target = y[:64]{target}
    loss = (pred - target).abs().mean() + 0.01 * (pred - pred.T).pow(2).mean()  # with a pairwise term
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize(("target", "broadcast"), [("", True), (".unsqueeze(1)", False)])
def test_a_hand_written_loss_that_broadcasts_predictions_against_targets(check, target: str, broadcast: bool) -> None:
    # (64, 1) - (64,) is (64, 64); the pairwise term between predictions is (64, 64) as well, deliberately
    result = check(HAND_WRITTEN_LOSS.format(target=target))
    found = [f for f in result.findings if f["rule"] == "loss_output.broadcast_by_hand"]
    assert len(found) == broadcast
    if broadcast:
        assert result.findings[0]["category"] == "loss_output_mismatch"
        assert found[0]["evidence"]["output_shape"] == [64, 64]

"""Fixes found by the seventh and eighth held-out sets: gradients exploding through time in a
recurrent module, functional models' inputs and units, a hand-written loss that broadcasts, and
saturated units inside a fused LSTM."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from traindebug.probes.recurrent_cells import first_layer_activations

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


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_recomputed_rnn_hidden_states_equal_the_modules_own(nonlinearity: str) -> None:
    torch.manual_seed(0)
    rnn = nn.RNN(3, 5, batch_first=True, nonlinearity=nonlinearity)
    x = torch.randn(10, 7, 3)
    [(label, op, values)] = first_layer_activations(rnn, x)
    expected = rnn(x)[0][:8].transpose(0, 1).reshape(-1, 5)  # time-major rows of the first 8 sequences
    assert (label, op) == ("hidden state", nonlinearity)
    torch.testing.assert_close(values, expected.detach())


LSTM_BIAS = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(256, 24, 4)
y = (x[:, :, 0].mean(1) > 0).long()
lstm = nn.LSTM(4, 32, batch_first=True)
head = nn.Linear(32, 2)
if {fill}:
    for name, p in lstm.named_parameters():
        if "bias" in name:
            nn.init.constant_(p, {fill})  # meant for the forget gate only
opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-3)
for step in range(60):
    out, _ = lstm(x[:64])
    loss = nn.functional.cross_entropy(head(out[:, -1]), y[:64])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize(("fill", "saturated"), [(0, False), (2.0, True)])
def test_saturated_units_inside_an_lstm(check, fill: float, saturated: bool) -> None:
    # the fused LSTM has no tanh node in the graph: its first layer is recomputed from its weights
    result = check(LSTM_BIAS.format(fill=fill))
    found = [f for f in result.findings if f["rule"] == "units.saturated"]
    assert [f["where"].split(" (")[0] for f in found] == (["LSTM"] if saturated else [])


PADDED_EMBEDDING = """
import torch
from torch import nn

torch.manual_seed(0)
tokens = torch.randint(0, 20, (128, 12))  # id 0, the padding id, occurs in every sequence
y = (tokens.float().mean(1) > 9.5).long()
emb = nn.Embedding(20, 8, padding_idx=0)
model = nn.Sequential(emb, nn.Flatten(), nn.Linear(96, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    loss = nn.functional.cross_entropy(model(tokens[:32]), y[:32])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_the_padding_row_of_an_embedding_is_not_a_wrong_gradient(check) -> None:
    # lookups read the padding row, autograd gives it no gradient by design: not perturbed
    result = check(PADDED_EMBEDDING)
    checks = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    assert any(r["kind"] == "gradcheck" and r.get("tensors") for r in checks)
    assert "wrong_gradient" not in {f["category"] for f in result.findings}

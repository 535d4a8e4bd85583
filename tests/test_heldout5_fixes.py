"""Fixes found by the fifth held-out set: gradients that explode through time in a chaotic
RNN (and the finite-difference check that must not call them wrong), labels that do not go
with their inputs although the loss creeps down, a module replaced after the optimizer was
built; and one miss of the fourth set: a rate fed to a loss that expects a log-rate."""

from __future__ import annotations

import pytest
import torch

from traindebug.gradcheck import _sweep
from traindebug.probes.label_neighbours import neighbour_agreement

RNN = """
import torch
from torch import nn
torch.manual_seed(0)
x = torch.randn(512, 40, 2)
y = (x[:, -5:, 0].sum(1) > 0).long()
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn, self.head = nn.RNN(2, 32, batch_first=True), nn.Linear(32, 2)
        with torch.no_grad():
            self.rnn.weight_hh_l0.normal_(0.0, {std})
    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(30):
    i = torch.randint(0, 512, (64,))
    loss = nn.functional.cross_entropy(model(x[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_recurrent_weights_far_too_large_explode_through_time(check) -> None:
    # spectral radius ~ 0.6 * sqrt(32) = 3.4: the input weights collect the product of 40 Jacobians
    result = check(RNN.format(std=0.6))
    exploding = [f for f in result.findings if f["rule"] == "gradients.exploding_depth"]
    assert exploding and exploding[0]["where"] == "rnn.weight_ih_l0"
    assert exploding[0]["evidence"]["ratio"] > 1e3
    assert "wrong_gradient" not in result.categories()


def test_default_recurrent_init_does_not_explode(check) -> None:
    result = check(RNN.format(std=1 / 32**0.5 / 2))
    assert [f for f in result.findings if f["rule"] == "gradients.exploding_depth"] == []


def test_finite_differences_that_never_converge_give_no_verdict() -> None:
    """A loss that is smooth only below every eps of the grid (values jump at each eps)
    is no evidence against a huge analytic derivative; a converged one still is."""
    generator = torch.Generator().manual_seed(0)
    jumps = {}

    def rough(t: float) -> float:
        return jumps.setdefault(t, float(torch.randn((), generator=generator)) * 1e-3)

    grid = tuple(10.0**-i for i in range(10))
    assert _sweep(rough, 7.7e8, 1.0, torch.float64, grid, 2e-3)["verdict"] == "no_signal"
    assert _sweep(lambda t: 3.0 * t, 7.7e8, 1.0, torch.float64, grid, 2e-3)["verdict"] == "wrong"
    assert _sweep(lambda t: 3.0 * t, 3.0, 1.0, torch.float64, grid, 2e-3)["verdict"] == "ok"


@pytest.mark.parametrize("shuffle", [False, True])
def test_neighbour_agreement_is_at_chance_only_for_shuffled_labels(shuffle: bool) -> None:
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 10, generator=generator) * 3
    y = torch.randint(0, 4, (256,), generator=generator)
    x = centres[y] + torch.randn(256, 10, generator=generator)
    if shuffle:
        y = y[torch.randperm(256, generator=generator)]
    hits, expected, variance, samples = neighbour_agreement(x, y).tolist()
    assert samples == 256
    z = (hits - expected) / variance**0.5
    assert (z < 2) if shuffle else (z > 10)


def test_labels_split_apart_from_their_inputs_are_a_label_problem(check) -> None:
    source = """
    import torch
    from torch import nn
    torch.manual_seed(0)
    centres = torch.randn(3, 8) * 2
    y = torch.randint(0, 3, (150,))
    X = centres[y] + torch.randn(150, 8)
    y = y[torch.randperm(150)]  # labels shuffled apart from their rows
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(40):
        order = torch.randperm(150)
        for k in range(0, 150, 30):
            i = order[k:k + 30]
            loss = nn.functional.cross_entropy(model(X[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
    """
    result = check(source)
    assert "label_problem" in result.categories()[:3], result.categories()


def test_module_replaced_after_the_optimizer_is_reported_as_unoptimized_first(check) -> None:
    source = """
    import torch
    from torch import nn
    torch.manual_seed(0)
    X = torch.randn(256, 12)
    y = (X[:, :4] @ torch.randn(4, 5)).argmax(1)
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(12, 32), nn.ReLU())
            self.head = nn.Linear(32, 2)
        def forward(self, x):
            return self.head(self.body(x))
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.head = nn.Linear(32, 5)  # five classes after all
    for step in range(60):
        i = torch.randint(0, 256, (32,))
        loss = nn.functional.cross_entropy(model(X[i]), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    """
    result = check(source)
    first = result.serious()[0]
    assert first["category"] == "frozen_or_unoptimized" and first["where"] == "head"
    assert "replaced after the optimizer" in first["hypothesis"]
    assert "no_gradient_flow" not in result.categories()


POISSON = """
import torch
from torch import nn
torch.manual_seed(0)
X = torch.randn(1024, 6)
counts = torch.poisson(torch.exp(0.5 + X[:, :3].sum(1) * 0.3))
model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 1){head})
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.PoissonNLLLoss()
for step in range(60):
    i = torch.randint(0, 1024, (64,))
    loss = crit(model(X[i]).squeeze(1), counts[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("head, flagged", [(", nn.Softplus()", True), ("", False)])
def test_a_rate_read_as_a_log_rate_is_a_loss_output_mismatch(check, head: str, flagged: bool) -> None:
    result = check(POISSON.format(head=head))
    rules = [f["rule"] for f in result.findings]
    assert ("loss_output.rate_as_log_rate" in rules) == flagged
    if flagged:
        assert result.categories()[0] == "loss_output_mismatch"


@pytest.mark.parametrize("op, flagged", [("SigmoidBackward0", True), (None, True), ("AddmmBackward0", False)])
def test_logits_in_zero_one_from_a_linear_layer_are_not_a_double_sigmoid(op, flagged: bool) -> None:
    """A short GAN run's discriminator logits all lay in (0.1, 0.55): the graph shows a linear
    layer made them, so the range is chance, not a sigmoid applied twice."""
    from traindebug.rules.loss_output_mismatch import normalised_twice
    from traindebug.store import RunData

    records = [{"kind": "loss_input", "step": s, "name": "binary_cross_entropy_with_logits", "input_shape": [64, 1],
                "input_min": 0.1, "input_max": 0.55, "input_op": op} for s in (0, 0, 1, 10)]
    assert bool(normalised_twice.fn(RunData(records))) == flagged


def test_last_op_looks_past_reshapes() -> None:
    from torch import nn

    from traindebug.probes.loss_inputs import last_op

    linear = nn.Linear(4, 1)
    x = torch.randn(8, 4)
    assert last_op(linear(x).squeeze(1)) == "AddmmBackward0"
    assert last_op(torch.sigmoid(linear(x)).view(-1)) == "SigmoidBackward0"
    assert last_op(x) is None

"""Fixes found by the thirty-first held-out set."""

from __future__ import annotations

import torch
from torch import nn

from traindebug.engine import rank
from traindebug.findings import Finding
from traindebug.probes.repeated_calls import _chain_gain
from traindebug.rules.initialization import policy_vs_uniform
from traindebug.rules.input_scale import constant_features
from traindebug.store import RunData

POLICY = """
import torch
from torch import nn
from torch.distributions import Categorical

class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
        self.pi = nn.Linear(128, 6)
        for layer in self.body[::2]:
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.normal_(self.pi.weight, STD)

    def forward(self, obs):
        return Categorical(logits=self.pi(self.body(obs)))

torch.manual_seed(0)
policy = Policy()
opt = torch.optim.SGD(policy.parameters(), lr=0.01, momentum=0.9)
for step in range(20):
    obs = torch.randn(64, 8)
    dist = policy(obs)
    action = dist.sample()
    reward = (action == obs[:, :6].argmax(1)).float()
    loss = -(dist.log_prob(action) * (reward - reward.mean())).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_policy_that_starts_nearly_deterministic_is_bad_init_scale(check) -> None:
    """nn.init.normal_(w, 0.01) sets the mean, so the policy head's weights have std 1 (heldout31's
    REINFORCE router): the initial policy was nearly deterministic and nothing was reported."""
    wide = check(POLICY.replace("STD", "0.01"))  # mean 0.01, std 1
    (found,) = [f for f in wide.findings if f["rule"] == "init.policy_vs_uniform"]
    assert found["severity"] == "warning" and found["evidence"]["classes"] == 6
    small = check(POLICY.replace("STD", "mean=0.0, std=0.01"), name="small.py")
    assert "bad_init_scale" not in small.categories()


def test_the_initial_policy_is_held_to_the_classifier_bar() -> None:
    def run(value: float) -> RunData:
        return RunData([{"kind": "activations", "step": 0, "modules": [],
                         "categorical": {"classes": 4, "uniform_ce": value}}])

    assert policy_vs_uniform.fn(run(1.1 * torch.log(torch.tensor(4.0)).item())) == []
    assert policy_vs_uniform.fn(run(3.0)) != []  # 2.16 x ln 4
    assert policy_vs_uniform.fn(RunData([{"kind": "activations", "step": 0, "modules": []}])) == []


KOOPMAN = """
import torch
from torch import nn

class Koopman(nn.Module):
    def __init__(self, noise):
        super().__init__()
        self.encode = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 16))
        self.K = nn.Linear(16, 16, bias=False)
        self.decode = nn.Linear(16, 4)
        with torch.no_grad():
            nn.init.eye_(self.K.weight)
            self.K.weight.add_(noise * torch.randn(16, 16))

    def forward(self, x0, steps):
        z, out = self.encode(x0), []
        for _ in range(steps):
            z = self.K(z)
            out.append(self.decode(z))
        return torch.stack(out, 1)

torch.manual_seed(0)
model = Koopman(NOISE)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x0, future = torch.randn(64, 4), torch.randn(64, 30, 4) * 0.1
for step in range(10):
    loss = nn.functional.mse_loss(model(x0, 30), future)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_linear_module_applied_to_its_own_output_with_gain_above_one_explodes_through_time(check) -> None:
    """heldout31's Koopman model: z = K(z) forty times with K = I + 0.1 randn (radius ~1.6), no
    activation in between and no recurrent module; reported only as outputs mis-scaled at init."""
    exploding = check(KOOPMAN.replace("NOISE", "0.1"))
    assert exploding.categories()[:1] == ["exploding_gradients"]
    (found,) = [f for f in exploding.findings if f["rule"] == "gradients.exploding_time"]
    assert found["where"] == "K" and found["evidence"]["time_steps"] == 30
    calm = check(KOOPMAN.replace("NOISE", "0.01"), name="calm.py")  # radius ~1.04: 30 steps stay near 1
    assert "exploding_gradients" not in calm.categories()


def test_calls_that_are_not_chained_give_no_recurrence() -> None:
    """Two towers of one encoder, or an encoder applied to each time step's input: the last call's
    output does not depend on the first's."""
    encoder = nn.Linear(4, 4)
    first, last = encoder(torch.randn(2, 4)), encoder(torch.randn(2, 4))
    assert _chain_gain(first, last) is None
    chained = encoder(encoder(first))
    assert _chain_gain(first, chained) is not None


def _finding(category: str, **evidence: object) -> Finding:
    return Finding(rule=category, category=category, severity="warning", title="", observation="",
                   hypothesis="", suggestion="", evidence=dict(evidence))


def test_gradients_exactly_zero_behind_a_saturated_gate_follow_the_input_scale() -> None:
    """A mixture-of-experts gate on raw features routed every sample to one expert (heldout31): the
    other experts' gradients were exactly zero, four no_gradient_flow warnings ranked before the
    unscaled inputs that cause them. Gradients that are never made (None) stay a cause of their own."""
    ranked = rank([_finding("no_gradient_flow", grad_none=False), _finding("input_scale")])
    assert [f.category for f in ranked] == ["input_scale", "no_gradient_flow"]
    assert ranked[1].explained_by == ranked[0].id
    ranked = rank([_finding("no_gradient_flow", grad_none=True), _finding("input_scale")])
    assert ranked[0].category == "no_gradient_flow" and ranked[0].explained_by is None


def test_half_the_features_constant_is_a_coupling_layers_mask_not_a_broken_pipeline() -> None:
    """A RealNVP coupling network sees x * mask: half its input features are 0 by design."""
    def run(fraction: float) -> RunData:
        return RunData([{"kind": "input_stats", "module": "net.0"},
                        {"kind": "input_constant", "fraction": fraction, "features": 2}])

    assert constant_features.fn(run(0.5)) == []
    assert constant_features.fn(run(0.75)) != []

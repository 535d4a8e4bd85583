"""Fixes found by the twenty-eighth held-out set."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from traindebug.engine import rank
from traindebug.findings import Finding
from traindebug.gradcheck import gradient_scale
from traindebug.probes.unit_health import activation_of, dead_fraction, hidden_activations, passes_gradient
from traindebug.rules.gradient_scale import vanishing_everywhere
from traindebug.rules.labels import other_scale
from traindebug.rules.saturated_units import saturated
from traindebug.store import MetricStore, RunData

PER_SAMPLE_NORMS_WITH_VMAP = """
import torch
from torch import nn
from torch.func import functional_call, grad, vmap

torch.manual_seed(0)
x, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.1)

def sample_loss(params, xi, yi):
    out = functional_call(model, params, (xi[None],))
    return nn.functional.cross_entropy(out, yi[None])

for step in range(40):
    xb, yb = x[step % 8 * 32:][:32], y[step % 8 * 32:][:32]
    params = {k: v.detach() for k, v in model.named_parameters()}
    per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, xb, yb)
    norms = torch.stack([g.flatten(1).norm(dim=1) for g in per_sample.values()]).norm(dim=0)
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("median per-sample gradient norm", float(norms.median()))
"""


def test_per_sample_gradients_taken_with_vmap_do_not_break_the_run(check) -> None:
    """The loss calls and forwards inside vmap(grad(...)) hold tensors that exist only inside the
    transform; recording one made the metric store fail at its flush, traceback from traindebug."""
    result = check(PER_SAMPLE_NORMS_WITH_VMAP)
    assert result.doc["status"] == "completed" and result.doc["steps"] == 40
    records = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    assert not [r for r in records if r["kind"] in ("probe_error", "store_error")]
    assert result.serious() == []


def test_the_store_keeps_the_other_records_when_one_cannot_be_read(tmp_path: Path) -> None:
    """A tensor that escaped a vmap cannot be read: its record becomes a store_error, the rest is written."""
    leaked: list[torch.Tensor] = []
    torch.func.vmap(lambda t: leaked.append(t) or t)(torch.randn(3, 2))
    store = MetricStore(tmp_path / "metrics.jsonl")
    store.append({"kind": "step", "step": 0, "loss": torch.tensor(1.5)})
    store.append({"kind": "bad", "step": 0, "value": leaked[0]})
    store.append({"kind": "step", "step": 1, "loss": torch.tensor(0.5)})
    store.close()
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records] == ["step", "store_error", "step"]
    assert [r.get("loss") for r in records] == [1.5, None, 0.5]
    assert records[1]["record_kind"] == "bad"


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):  # type: ignore[override]
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        return -ctx.lam * grad, None


class Doubling(torch.autograd.Function):
    """Forward doubles, backward passes the gradient unchanged (a wrong backward)."""

    @staticmethod
    def forward(ctx, x):  # type: ignore[override]
        return 2 * x

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        return grad


class RowScaled(torch.autograd.Function):
    """Identity forward, backward scaled per row: not a single factor."""

    @staticmethod
    def forward(ctx, x):  # type: ignore[override]
        return x.clone()

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        return grad * torch.arange(grad.shape[0], dtype=grad.dtype)[:, None]


def test_gradient_scale_recognises_only_an_identity_with_a_scaled_gradient() -> None:
    x = torch.randn(4, 3, requires_grad=True)
    assert abs(gradient_scale(GradReverse, (x, 0.7), {}) + 0.7) < 1e-12
    assert gradient_scale(GradReverse, (x, 0.0), {}) == 0.0
    assert gradient_scale(Doubling, (x,), {}) is None
    assert gradient_scale(RowScaled, (x,), {}) is None


DOMAIN_ADVERSARIAL = """
import torch
from torch import nn

class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.lam * grad, None

torch.manual_seed(0)
x = torch.randn(512, 10)
y = (x[:, 0] + x[:, 1] > 0).long()
domain = (torch.arange(512) % 2).long()
x = x + domain[:, None] * 0.5
features = nn.Sequential(nn.Linear(10, 32), nn.ReLU())
label_head, domain_head = nn.Linear(32, 2), nn.Linear(32, 2)
params = [*features.parameters(), *label_head.parameters(), *domain_head.parameters()]
opt = torch.optim.Adam(params, lr=3e-3)
for step in range(60):
    idx = torch.randint(0, 512, (64,))
    h = features(x[idx])
    loss = nn.functional.cross_entropy(label_head(h), y[idx])
    loss = loss + nn.functional.cross_entropy(domain_head(GradReverse.apply(h, LAM)), domain[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_gradient_reversal_layer_is_not_reported_as_a_wrong_gradient(check) -> None:
    """Domain-adversarial training: the reversal disagrees with finite differences by design."""
    result = check(DOMAIN_ADVERSARIAL.replace("LAM", "1.0"))
    assert "wrong_gradient" not in result.categories()
    records = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    (check,) = [c for r in records if r["kind"] == "function_check" for c in r["checks"]]
    assert check["verdict"] == "wrong" and check["gradient_scale"] == -1.0


def _graph(rectifier) -> list:
    torch.manual_seed(0)
    x = torch.randn(64, 8)
    first, second = nn.Linear(8, 16), nn.Linear(16, 1)
    return hidden_activations(second(rectifier(first(x))).sum())


def test_rectifiers_written_as_threshold_clamp_or_relu6_are_checked_for_dead_units() -> None:
    """F.threshold with a threshold above every pre-activation leaves all units dead; clamp(min=0)
    and ReLU6 agree with F.relu on the same pre-activations."""
    (node,) = _graph(lambda h: F.threshold(h, 50.0, 0.0))
    assert activation_of(node) == "relu" and float(dead_fraction(passes_gradient(node, node._saved_self), 1)) == 1.0
    (relu,) = _graph(F.relu)
    expected = float(dead_fraction(relu._saved_result != 0, 1))
    for rectifier in (lambda h: h.clamp(min=0), lambda h: h.clamp_min(0), F.relu6):
        (node,) = _graph(rectifier)
        assert float(dead_fraction(passes_gradient(node, node._saved_self), 1)) == expected
    assert _graph(F.hardtanh) == [] and _graph(lambda h: h.clamp(-1, 1)) == []


def test_a_clamp_on_data_or_variances_is_not_a_hidden_unit() -> None:
    """clamp(min=...) on the raw input (or on a variance) is no layer's activation."""
    torch.manual_seed(0)
    x = torch.randn(64, 8)
    layer = nn.Linear(8, 1)
    assert hidden_activations(layer(x.requires_grad_().clamp(min=0)).sum()) == []


def _tower_run(grad: float, loss_drop: float) -> RunData:
    """Four 64 x 64 weight matrices with norm 8, gradients of ``grad`` each, a loss that falls by
    ``loss_drop`` of its start over 200 steps, updates 1e-6 of the weights."""
    records: list[dict] = [{"kind": "tensors", "names": [f"{i}.weight" for i in range(4)], "shapes": [[64, 64]] * 4}]
    records += [{"kind": "step", "step": i, "loss": 4.0 * (1 - loss_drop * i / 199) + 0.01 * (i % 3),
                 "grad_norms": [grad] * 4, "param_norms": [8.0] * 4, "update_ratio": [1e-6] * 4}
                for i in range(200)]
    return RunData(records)


def test_gradients_tiny_in_every_layer_with_a_flat_loss_are_vanishing() -> None:
    """A deep sigmoid Cox network maps every patient to nearly the same vector: the head's gradient
    is as tiny as the first layer's, so no depth ratio shows it (heldout28)."""
    (found,) = vanishing_everywhere.fn(_tower_run(grad=1e-4, loss_drop=0.0))
    assert found.category == "vanishing_gradients" and found.evidence["grad_to_weight"] == 1e-4 / 8
    assert vanishing_everywhere.fn(_tower_run(grad=0.05, loss_drop=0.0)) == []  # a healthy gradient: the step size
    assert vanishing_everywhere.fn(_tower_run(grad=1e-4, loss_drop=0.5)) == []  # the loss falls: converging


CONTRASTIVE_TOWERS = """
import torch
from torch import nn
import torch.nn.functional as F

class Towers(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(8, 16), nn.Linear(8, 16)

    def forward(self, xa, xb):
        return F.normalize(self.a(xa), dim=-1) @ F.normalize(self.b(xb), dim=-1).T / 0.1

torch.manual_seed(0)
x = torch.randn(256, 16)
model = Towers()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    idx = torch.randint(0, 256, (32,))
    logits = model(x[idx, :8], x[idx, 8:] + 0.1 * torch.randn(32, 8))
    target = torch.arange(32)
    loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_contrastive_logits_of_two_towers_are_not_batch_mixing(check) -> None:
    """CLIP's (N, N) similarity matrix with targets 0..N-1 mixes the batch by design (heldout29);
    a square output whose targets are ordinary labels is still checked."""
    result = check(CONTRASTIVE_TOWERS)
    assert "batch_mixing" not in result.categories()
    square_classifier = CONTRASTIVE_TOWERS.replace("target = torch.arange(32)", "target = torch.randint(0, 32, (32,))")
    assert "batch_mixing" in check(square_classifier, name="labels.py").categories()


SORTED_REGRESSION = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(1024, 6)
y = (x[:, :1] * 2 - x[:, 1:2] ** 2 + 0.1 * torch.randn(1024, 1))
order = y[:, 0].argsort()
x, y = x[order], y[order]                     # sorted to cut the targets into grades
model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(5):
    perm = PERM
    for i in range(0, 1024, 32):
        idx = perm[i : i + 32]
        loss = nn.functional.mse_loss(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


def test_regression_rows_sorted_by_target_and_never_shuffled_are_unshuffled(check) -> None:
    """Ordinal targets sorted for binning and walked in order (heldout28): each batch a narrow slice."""
    ordered = check(SORTED_REGRESSION.replace("PERM", "torch.arange(1024)"))
    found = [f for f in ordered.serious() if f["rule"] == "data.unshuffled_targets"]
    assert found and found[0]["evidence"]["batch_share"] < 0.1
    shuffled = check(SORTED_REGRESSION.replace("PERM", "torch.randperm(1024)"), name="shuffled.py")
    assert "unshuffled_data" not in shuffled.categories()


def _saturating_run(at_step_zero: float) -> RunData:
    """A tanh layer whose saturation rises from ``at_step_zero`` to 87 % while the loss falls 60x."""
    checks = {0: at_step_zero, 1: 0.43, 10: 0.74, 25: 0.83, 50: 0.86, 75: 0.87}
    records: list[dict] = [{"kind": "step", "step": i, "loss": 10.0 * 0.7**i + 0.15} for i in range(100)]
    records += [{"kind": "unit_health", "step": s, "layers": [{"name": "head.2", "op": "tanh", "shape": [64, 64],
                                                               "saturated": v}]} for s, v in checks.items()]
    return RunData(records)


def test_saturation_present_at_step_zero_is_not_confidence_learned_by_training() -> None:
    """A conv forecaster's tanh head 38 % saturated at init, 87 % later, while the loss fell from a
    mis-scaled output (heldout29): a warning. Saturation that appears only after the fit stays info."""
    (init,) = saturated.fn(_saturating_run(0.38))
    assert init.severity == "warning" and "step 0 already" in init.observation
    (learned,) = saturated.fn(_saturating_run(0.0))
    assert learned.severity == "info"


ACTOR_CRITIC = """
import torch
from torch import nn
from torch.distributions import Categorical

class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())
        self.pi, self.v = nn.Linear(64, 4), nn.Linear(64, 1)
        nn.init.orthogonal_(self.pi.weight, gain=0.01)     # the usual small policy-head init

    def forward(self, obs):
        h = self.body(obs)
        return Categorical(logits=self.pi(h)), self.v(h).squeeze(-1)

torch.manual_seed(0)
net = ActorCritic()
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
for step in range(30):
    obs = torch.randn(64, 8)
    dist, value = net(obs)
    action = dist.sample()
    advantage = torch.randn(64)
    loss = -(dist.log_prob(action) * advantage).mean() + 0.5 * (value - advantage).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_small_policy_head_next_to_a_value_head_is_not_vanishing_activations(check) -> None:
    """PPO's policy head starts at gain 0.01 by design (heldout30); with two heads the last
    recorded layer is the value head, and the policy head was read as the last hidden layer."""
    result = check(ACTOR_CRITIC)
    assert "bad_init_scale" not in result.categories()
    records = [json.loads(line) for line in (result.out / "metrics.jsonl").read_text().splitlines()]
    first = next(r for r in records if r["kind"] == "activations")
    assert {r["module"] for r in first["modules"] if r["head"]} == {"pi", "v"}


SCRATCH_RNN = """
import torch
from torch import nn

class ScratchRNN(nn.Module):
    def __init__(self, gain):
        super().__init__()
        self.w_ih = nn.Parameter(torch.randn(32, 8) / 8 ** 0.5)
        self.w_hh = nn.Parameter(torch.randn(32, 32) * gain / 32 ** 0.5)
        self.head = nn.Linear(32, 4)

    def forward(self, seq):
        h = seq.new_zeros(seq.shape[0], 32)
        for t in range(seq.shape[1]):
            h = torch.tanh(seq[:, t] @ self.w_ih.T + h @ self.w_hh.T)
        return self.head(h)

torch.manual_seed(0)
x, y = torch.randn(256, 12, 8), torch.randint(0, 4, (256,))
model = ScratchRNN(GAIN)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(10):
    loss = nn.functional.cross_entropy(model(x[:64]), y[:64])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_hand_written_recurrence_whose_gradient_grows_back_through_time_is_exploding(check) -> None:
    """heldout30's tanh RNN written with parameters (no recurrent module): recurrent gain 5 makes the
    gradient grow at every step back through time; gain 0.5 lets it fade."""
    exploding = check(SCRATCH_RNN.replace("GAIN", "5.0"))
    found = [f for f in exploding.findings if f["rule"] == "gradients.exploding_activations"]
    assert found and found[0]["evidence"]["ratio"] > 100 and found[0]["where"] == "tanh #1"
    calm = check(SCRATCH_RNN.replace("GAIN", "0.5"), name="calm.py")
    assert "exploding_gradients" not in calm.categories()


def _scaled_run(factor: float, calls: int = 1, reduction: str = "mean") -> RunData:
    records: list[dict] = [{"kind": "loss_fn", "name": "binary_cross_entropy_with_logits", "reduction": reduction}]
    records += [{"kind": "step", "step": i, "loss": factor * 0.6, "loss_fn_value": calls * 0.6, "loss_fn_calls": calls}
                for i in range(50)]
    return RunData(records)


def test_a_loss_on_another_scale_than_its_label_loss_is_not_held_against_the_label_prior() -> None:
    """SG-Langevin backpropagates N x the summed BCE plus a prior term (heldout30): the label prior
    (0.66 for BCE's mean) said 'no progress' and lr_too_high on a healthy run."""
    assert not other_scale(_scaled_run(1.0))
    assert not other_scale(_scaled_run(1.0, calls=4))  # four micro-batches, each loss backpropagated as it is
    assert other_scale(_scaled_run(30.0))
    assert other_scale(_scaled_run(0.25, calls=4))  # each micro-batch's loss divided by 4
    assert other_scale(_scaled_run(1.0, reduction="sum"))


def test_clipping_on_every_step_is_explained_by_exploding_gradients() -> None:
    """A tanh RNN with unscaled randn weights (heldout30): clipping cut every step by 1.8e5x because
    the gradients explode; the clipping finding now follows the explosion it comes from."""
    def finding(category: str) -> Finding:
        return Finding(rule=category, category=category, severity="warning", title="", observation="",
                       hypothesis="", suggestion="", evidence={})

    ranked = rank([finding("over_regularization"), finding("underfitting"), finding("exploding_gradients"),
                   finding("saturated_units")])
    assert [f.category for f in ranked][:3] == ["exploding_gradients", "over_regularization", "saturated_units"]
    assert ranked[1].explained_by == ranked[0].id

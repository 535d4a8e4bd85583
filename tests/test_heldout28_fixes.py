"""Fixes found by the twenty-eighth held-out set."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from traindebug.gradcheck import gradient_scale
from traindebug.probes.unit_health import activation_of, dead_fraction, hidden_activations, passes_gradient
from traindebug.rules.gradient_scale import vanishing_everywhere
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

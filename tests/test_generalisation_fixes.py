"""Fixes found by the held-out sets: chance level and floor from the user's own loss options,
warmups longer than the run, plateaus that label noise explains, and tabular models whose
first weighted layer follows embedding lookups."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from traindebug.probes.base import LossCall
from traindebug.probes.loss import chance_level, ideal_prediction, loss_of
from traindebug.rules.lr_too_low import schedule_below_configured
from traindebug.rules.underfitting import underfitting
from traindebug.store import RunData


def call(fn, x: torch.Tensor, target: torch.Tensor, **kwargs) -> LossCall:
    return LossCall(name=fn.__name__, fn=fn, input=x, target=target, kwargs=kwargs, output=fn(x, target, **kwargs),
                    training=True)


def test_chance_level_uses_the_loss_options() -> None:
    x, y = torch.randn(16, 5), torch.randint(0, 5, (16,))
    assert chance_level(call(F.cross_entropy, x, y))[1] == pytest.approx(math.log(5), rel=1e-5)
    assert chance_level(call(F.cross_entropy, x, y, reduction="sum"))[1] == pytest.approx(16 * math.log(5), rel=1e-5)
    t = (torch.rand(16, 3) > 0.8).float()
    weighted = call(F.binary_cross_entropy_with_logits, torch.randn(16, 3), t, pos_weight=torch.full((3,), 4.0))
    expected = math.log(2) * (4 * t + (1 - t)).mean().item()
    assert chance_level(weighted)[1] == pytest.approx(expected, rel=1e-5)


def test_floor_is_zero_for_hard_labels_and_the_entropy_for_soft_ones() -> None:
    x, y = torch.randn(16, 5), torch.randint(0, 5, (16,))
    hard = call(F.cross_entropy, x, y)
    assert loss_of(hard, ideal_prediction(hard)) == pytest.approx(0.0, abs=1e-6)
    smooth = call(F.cross_entropy, x, y, label_smoothing=0.2)
    q = torch.tensor([0.84] + [0.04] * 4)
    assert loss_of(smooth, ideal_prediction(smooth)) == pytest.approx(-(q * q.log()).sum().item(), rel=1e-4)
    p = torch.rand(16, 3)
    soft = call(F.binary_cross_entropy_with_logits, torch.randn(16, 3), p)
    entropy = -(p * p.log() + (1 - p) * (1 - p).log()).mean().item()
    assert loss_of(soft, ideal_prediction(soft)) == pytest.approx(entropy, rel=1e-3)


def lr_run(lrs: list[float], losses: list[float], initial_lr: float | None) -> RunData:
    group = {"lr": lrs[0], "params": 2} | ({"initial_lr": initial_lr} if initial_lr else {})
    records = [{"kind": "optimizers", "step": 0, "optimizers": [{"type": "Adam", "groups": [group]}]}]
    records += [{"kind": "step", "step": i, "lr": [lr], "loss": loss} for i, (lr, loss) in enumerate(zip(lrs, losses))]
    return RunData(records)


def test_warmup_longer_than_the_run_is_lr_too_low() -> None:
    n = 200
    warmup = [3e-3 * (i + 1) / 20000 for i in range(n)]
    flat = [3.3 - 0.0001 * i for i in range(n)]
    assert [f.category for f in schedule_below_configured.fn(lr_run(warmup, flat, 3e-3))] == ["lr_too_low"]
    falling = [3.3 * math.exp(-i / 50) for i in range(n)]
    assert schedule_below_configured.fn(lr_run(warmup, falling, 3e-3)) == []  # the loss moves: not judged
    reached = [3e-3 * min(1.0, (i + 1) / 20) for i in range(n)]
    assert schedule_below_configured.fn(lr_run(reached, flat, 3e-3)) == []
    assert schedule_below_configured.fn(lr_run(warmup, flat, None)) == []  # no scheduler: no configured rate


def plateau_run(plateau: float, chance: float = math.log(2), floor: float = 0.0) -> RunData:
    records = [{"kind": "tensors", "step": 0, "names": ["w"], "shapes": [[4, 4]], "in_optimizer": [True]},
               {"kind": "loss_fn", "step": 0, "name": "cross_entropy", "classes": 2, "chance_loss": chance,
                "floor_loss": floor, "initial_loss": chance}]
    losses = [chance] + [plateau] * 199
    records += [{"kind": "step", "step": i, "loss": v, "update_ratio": [1e-3]} for i, v in enumerate(losses)]
    return RunData(records)


def test_underfitting_is_a_warning_only_where_label_noise_cannot_explain_it() -> None:
    assert [f.severity for f in underfitting.fn(plateau_run(0.65 * math.log(2)))] == ["info"]
    assert [f.severity for f in underfitting.fn(plateau_run(0.95 * math.log(2)))] == ["warning"]
    # label smoothing: a plateau at the floor is a perfect fit
    assert underfitting.fn(plateau_run(0.5, chance=0.69, floor=0.49)) == []


def test_input_probe_measures_the_layer_after_embedding_lookups(tmp_path) -> None:
    import traindebug

    class Tabular(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.city = nn.Embedding(10, 4)
            self.mlp = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 1))

        def forward(self, city, numeric):
            return self.mlp(torch.cat([self.city(city), numeric], 1)).squeeze(1)

    torch.manual_seed(0)
    model = Tabular()
    opt = torch.optim.SGD(model.parameters(), lr=1e-9)
    city, numeric = torch.randint(0, 10, (32,)), torch.randn(32, 2) * 5e4
    with traindebug.Session(tmp_path, quiet=True) as session:
        for _ in range(3):
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(model(city, numeric), torch.ones(32)).backward()
            opt.step()
    stats = RunData.load(tmp_path / "metrics.jsonl").records("input_stats")
    assert stats and stats[0]["module"] == "mlp.0"
    assert "input_scale" in [f.category for f in session.findings]

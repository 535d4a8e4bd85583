"""Fixes found by the thirty-fourth held-out set: a meta-learner whose model only runs inside
torch.func.functional_call and whose update is written into .grad by hand, windows of a panel
of series fed one series after another, and full-batch training evaluated in training mode
after every step."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

import traindebug
from traindebug.rules.unshuffled_data import unshuffled_targets
from traindebug.store import RunData

from test_dynamics_rules import make_run, training


def test_a_reptile_loop_observes_the_models_own_parameters_and_the_inner_losses(tmp_path: Path) -> None:
    """The model runs only inside functional_call (which swaps per-task copies in for its
    parameters) and no backward pass is ever called: the copies are not taken for the model's
    weights, and each step's loss is the mean of its training loss-function calls."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    meta = torch.optim.Adam(model.parameters(), lr=1e-3)
    with traindebug.Session(tmp_path, optimizer=meta, quiet=True):
        for _ in range(12):
            x = torch.rand(10, 1) * 6 - 3
            y = torch.sin(x + torch.rand(1))
            fast = {k: v.detach().clone().requires_grad_() for k, v in model.named_parameters()}
            for _ in range(3):
                loss = F.mse_loss(functional_call(model, fast, (x,)), y)
                grads = torch.autograd.grad(loss, list(fast.values()))
                fast = {k: v - 0.02 * g for (k, v), g in zip(fast.items(), grads)}
            meta.zero_grad()
            for name, p in model.named_parameters():
                p.grad = p.detach() - fast[name].detach()
            meta.step()
    run = RunData.load(tmp_path / "metrics.jsonl")
    (tensors,) = run.records("tensors")
    assert tensors["in_optimizer"] == [True] * 4  # the optimizer's tensors only, no per-task copies
    steps = run.records("step")
    assert len(steps) == 12 and all(s["loss_from_calls"] and s["backward_passes"] == 0 for s in steps)
    assert all(min(s["update_ratio"]) > 0 for s in steps if "update_ratio" in s)


def test_a_dict_of_weights_updated_by_hand_through_functional_call_is_what_is_observed(tmp_path: Path) -> None:
    """No optimizer, the model's own parameters never used: the tensors of the dict are the
    weights (the backward's graph leaves), named after the model's parameters."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    weights = {k: v.detach().clone().requires_grad_() for k, v in model.named_parameters()}
    with traindebug.Session(tmp_path, quiet=True):
        for _ in range(10):
            x = torch.randn(16, 4)
            F.mse_loss(functional_call(model, weights, (x,)), x.sum(1, keepdim=True)).backward()
            with torch.no_grad():
                for w in weights.values():
                    w -= 0.05 * w.grad
                    w.grad = None
    run = RunData.load(tmp_path / "metrics.jsonl")
    (tensors,) = run.records("tensors")
    assert tensors["names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(run.records("step")) == 10


def _moments(means: list[float], spread: float) -> list[dict]:
    """Step records of one-column targets: batch means as given, within-batch variance ``spread``."""
    steps = training(len(means), 0.5)
    for s, m in zip(steps, means):
        s["target_moments"] = [[m], [spread]]
    return steps


def test_batches_that_each_hold_a_third_of_the_targets_spread_are_unshuffled() -> None:
    # a panel of series fed one series after another: batch means jump between series levels
    levels = [(-1.0 if (i // 8) % 2 else 1.0) for i in range(64)]
    found = unshuffled_targets.fn(make_run(_moments(levels, 0.5)))  # share 0.5 / (0.5 + 1) = 0.33
    assert [f.category for f in found] == ["unshuffled_data"]
    # shuffled batches: the means scatter by the sampling error only, share (B - 1) / B
    noise = torch.randn(64, generator=torch.Generator().manual_seed(0)).mul(0.1).tolist()
    assert unshuffled_targets.fn(make_run(_moments(noise, 1.0))) == []


class _NodeModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Dropout(0.5), nn.Linear(12, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def _full_batch(out: Path, evaluate_on_training_inputs: bool) -> list[str]:
    """Full-batch training (one step per epoch), a forward without gradients in training mode
    after every step: on the training inputs (an evaluation), or on a new batch (as a teacher or
    a pseudo-labeller would)."""
    torch.manual_seed(0)
    x, y = torch.randn(200, 12), torch.randint(0, 3, (200,))
    model = _NodeModel()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    with traindebug.Session(out, quiet=True) as session:
        for _ in range(40):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model(x if evaluate_on_training_inputs else torch.randn(200, 12)).argmax(1)
    return [f.category for f in session.findings if f.severity in ("warning", "error")]


def test_full_batch_training_evaluated_in_training_mode_after_every_step_is_wrong_mode(tmp_path: Path) -> None:
    assert "wrong_mode" in _full_batch(tmp_path / "eval", evaluate_on_training_inputs=True)
    assert "wrong_mode" not in _full_batch(tmp_path / "other", evaluate_on_training_inputs=False)

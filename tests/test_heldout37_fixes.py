"""Fixes found by the thirty-seventh and thirty-eighth held-out sets: the last block's unused side
branch (an EGNN's coordinate update after its last layer), weight matrices that all start as one
constant, units saturated by the first update of a loss that falls fast afterwards, and tensors
that stay as they started for another reason than symmetry."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

import traindebug
from traindebug.rules.saturated_units import saturated
from traindebug.rules.symmetric_init import symmetric

from test_dynamics_rules import make_run, training


class Block(nn.Module):
    """A feature branch and a coordinate branch, as an E(n)-equivariant layer has."""

    def __init__(self) -> None:
        super().__init__()
        self.feature = nn.Linear(8, 8)
        self.coord = nn.Linear(8, 3)

    def forward(self, h: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.tanh(self.feature(h)), x + self.coord(h)


class Stack(nn.Module):
    def __init__(self, skip_last: bool) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(3))
        self.head = nn.Linear(8, 2)
        self.skip_last = skip_last

    def forward(self, h: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks[:-1] if self.skip_last else self.blocks:
            h, x = block(h, x)
        return self.head(h + x.sum(-1, keepdim=True))


def _no_gradient_warnings(tmp_path: Path, skip_last: bool) -> list[str | None]:
    torch.manual_seed(0)
    model = Stack(skip_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    h, x, y = torch.randn(32, 8), torch.randn(32, 3), torch.randint(0, 2, (32,))
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True) as session:
        for _ in range(12):
            loss = F.cross_entropy(model(h, x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [f.where for f in session.verdict.findings if f.category == "no_gradient_flow" and f.severity == "warning"]


def test_the_last_blocks_unused_side_branch_is_no_warning_but_a_skipped_block_is(tmp_path: Path) -> None:
    """The coordinates after the last block are never read: by design. A loop that stops one block
    early leaves the whole last block without gradient: a bug."""
    assert _no_gradient_warnings(tmp_path / "side", skip_last=False) == []
    assert "blocks.2.feature" in _no_gradient_warnings(tmp_path / "skipped", skip_last=True)


def _constant_weight_rules(tmp_path: Path, constant: bool) -> list[str]:
    """An MLP trained 60 steps with SGD; ``constant``: every Linear weight filled with 0.01, biases random."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    if constant:
        for layer in model:
            if isinstance(layer, nn.Linear):
                nn.init.constant_(layer.weight, 0.01)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(64, 6)
    y = x[:, :1] * x[:, 1:2] + torch.sin(x[:, 2:3])
    with traindebug.Session(tmp_path, model=model, optimizer=opt, quiet=True) as session:
        for _ in range(60):
            loss = F.mse_loss(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [f.rule for f in session.verdict.findings if f.severity == "warning"]


def test_weight_matrices_that_all_start_as_one_constant_are_symmetric_init(tmp_path: Path) -> None:
    assert "init.constant_weights" in _constant_weight_rules(tmp_path / "constant", constant=True)
    assert "init.constant_weights" not in _constant_weight_rules(tmp_path / "random", constant=False)


def _saturated_from(first: int) -> list[str]:
    """A tanh layer 0 % saturated at step 0 and 85 % from check ``first`` on; the loss falls
    from 4 to below half of it within five steps after step 1."""
    checks = [0, 1, 10, 25, 50]
    rows = [{"kind": "unit_health", "step": s, "layers": [{"name": "tanh #1", "op": "tanh", "shape": [64, 32],
                                                            "saturated": 0.85 if s >= first else 0.0}]}
            for s in checks]
    steps = training(60, lambda i: 4.0 if i < 2 else 1.0)
    return [f.severity for f in saturated.fn(make_run(steps, rows))]


def test_units_saturated_by_the_first_update_are_a_warning_even_if_the_loss_then_falls() -> None:
    assert _saturated_from(1) == ["warning"]
    assert _saturated_from(10) == ["info"]  # saturated after the loss had fallen: a confident fit


def _symmetric_rules(weight_norm: float, grad: float, missing: bool) -> list[str]:
    """0.weight identical across units from step 0 to the end, with the given norm and gradient."""
    steps = training(120, lambda i: 2.0 * 0.99**i)
    for i, s in enumerate(steps):
        s["grad_norms"] = [grad, 0.1, 0.1, 0.1]
        s["param_norms"] = [weight_norm, 1.0, 1.0, 1.0]
        if missing:
            s["grad_missing"] = [0]
        if i % 50 == 0:
            s["unit_spread"] = [0.0, -1.0, 1.0, -1.0]
    return [f.rule for f in symmetric.fn(make_run(steps))]


def test_tensors_held_by_something_else_than_symmetry_are_not_symmetric_init() -> None:
    """Heldout38: a zero-initialised N-BEATS backcast head of the last block, whose output nothing
    reads (gradient never made), and LISTA thresholds behind dead units (constant, zero gradient)."""
    assert _symmetric_rules(weight_norm=0.0, grad=0.0, missing=True) == []
    assert _symmetric_rules(weight_norm=3.0, grad=0.0, missing=False) == []
    # two zero factors hold each other at a saddle: zero weights with zero gradients stay reported
    assert _symmetric_rules(weight_norm=0.0, grad=0.0, missing=False) == ["init.symmetric"]
    assert _symmetric_rules(weight_norm=3.0, grad=0.1, missing=False) == ["init.symmetric"]

"""The decorator and the context manager: same machinery, scoped to the call."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

import traindebug


def _train(model: nn.Module, opt: torch.optim.Optimizer, steps: int, zero_grad: bool = True) -> float:
    torch.manual_seed(1)
    X, y = torch.randn(64, 6), torch.randint(0, 2, (64,))
    loss = torch.tensor(0.0)
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
    return float(loss.detach())


def test_watch_passes_return_value_and_exposes_findings(tmp_path: Path, capsys) -> None:
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    @traindebug.watch(out=tmp_path / "run", model=model, optimizer=opt)
    def fit(steps: int) -> float:
        return _train(model, opt, steps, zero_grad=False)

    value = fit(30)
    assert isinstance(value, float)
    assert "missing_zero_grad" in [f.category for f in fit.findings]
    assert (tmp_path / "run" / "logbook.md").is_file()
    assert "logbook" in capsys.readouterr().err


def test_watch_without_arguments(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    model = nn.Linear(6, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    @traindebug.watch
    def fit() -> str:
        _train(model, opt, 20)
        return "done"

    assert fit() == "done"
    assert [f for f in fit.findings if f.severity != "info"] == []


def test_watch_reraises_the_functions_exception_after_writing(tmp_path: Path) -> None:
    @traindebug.watch(out=tmp_path / "run", quiet=True)
    def fit() -> None:
        model = nn.Linear(6, 2)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        _train(model, opt, 5)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fit()
    assert fit.findings[0].category == "script_error"
    assert (tmp_path / "run" / "findings.json").is_file()


def test_session_context_manager_and_hooks_removed(tmp_path: Path) -> None:
    model = nn.Linear(6, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = torch.autograd.backward
    with traindebug.Session(tmp_path / "run", quiet=True, max_steps=5) as session:
        _train(model, opt, 50)
    assert session.steps == 5
    assert session.status == "max_steps"
    assert torch.autograd.backward is before
    from torch.optim import optimizer as optimizer_module

    assert not optimizer_module._global_optimizer_pre_hooks

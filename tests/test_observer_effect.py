"""The observer must not change the run: bitwise-identical parameters on CPU."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import torch

SCRIPT = """
import torch
from torch import nn
torch.manual_seed(0)
X, y = torch.randn(512, 20), torch.randint(0, 4, (512,))
model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(50):
    i = torch.randint(0, 512, (32,))
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X[i]), y[i])
    loss.backward()
    opt.step()
torch.save(model.state_dict(), "final.pt")
"""


def _plain_run(script: Path, monkeypatch) -> dict[str, torch.Tensor]:
    monkeypatch.setattr(sys, "argv", [str(script)])
    runpy.run_path(str(script), run_name="__main__")
    return torch.load(script.parent / "final.pt")


def test_fifty_steps_bitwise_equal_with_and_without_traindebug(check, tmp_path: Path, monkeypatch) -> None:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    plain = _plain_run(script, monkeypatch)
    for preset in ("cheap", "full"):
        result = check(SCRIPT, "--probes", preset)
        assert result.doc["steps"] == 50
        observed = torch.load(tmp_path / "final.pt")
        for name, tensor in plain.items():
            assert torch.equal(tensor, observed[name]), f"{preset}: {name} differs"

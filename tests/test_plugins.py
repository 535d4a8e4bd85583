"""Plugins: built-ins and third-party plugins register through the same entry points."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from traindebug.findings import CATEGORIES
from traindebug.plugins import BUILTIN_PLUGINS, collect_figures, collect_probes, collect_rules, plugin_manager
from traindebug.probes.base import Settings

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "plugins" / "traindebug-loss-spikes"


def test_builtins_register_probes_rules_and_figures() -> None:
    pm = plugin_manager(load_entry_points=False)
    assert {name for name, _ in pm.list_name_plugin()} >= set(BUILTIN_PLUGINS)
    rules = collect_rules(pm)
    assert len({r.name for r in rules}) == len(rules), "rule names must be unique"
    assert all(r.category in CATEGORIES for r in rules)
    probes = collect_probes(pm, Settings())
    assert len({p.name for p in probes}) == len(probes), "probe names must be unique"
    assert {f.name for f in collect_figures(pm)} >= {"loss", "grad_norm"}


def test_every_category_has_a_rule() -> None:
    covered = {r.category for r in collect_rules(plugin_manager(load_entry_points=False))}
    assert covered == set(CATEGORIES), f"no rule for {set(CATEGORIES) - covered}"


@pytest.fixture
def installed_example_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the example plugin visible as an installed distribution with its entry point."""
    info = tmp_path / "traindebug_loss_spikes-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: traindebug-loss-spikes\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[traindebug.plugins]\nloss_spikes = traindebug_loss_spikes\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    yield
    sys.modules.pop("traindebug_loss_spikes", None)


def test_third_party_plugin_is_loaded_from_its_entry_point(installed_example_plugin, check) -> None:
    pm = plugin_manager()
    assert "plugin.loss_spikes" in {r.name for r in collect_rules(pm)}
    source = """
    import torch
    from torch import nn
    torch.manual_seed(0)
    X, y = torch.randn(64, 4), torch.randint(0, 2, (64,))
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for step in range(60):
        opt.zero_grad()
        xb = X * (40.0 if step == 45 else 1.0)
        nn.functional.cross_entropy(model(xb), y).backward()
        opt.step()
    """
    result = check(source)
    assert "plugin.loss_spikes" in [f["rule"] for f in result.findings]

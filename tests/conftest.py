"""Shared test helpers: write a training script into tmp_path and check it in-process."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from traindebug.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "buggy_examples"


class CheckResult:
    """Exit code and outputs of one `traindebug check` run."""

    def __init__(self, code: int, out: Path) -> None:
        self.code = code
        self.out = out

    @property
    def doc(self) -> dict[str, Any]:
        return json.loads((self.out / "findings.json").read_text())

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.doc["findings"]

    def serious(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["severity"] in ("warning", "error")]

    def categories(self) -> list[str]:
        return [f["category"] for f in self.serious()]


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """check(source, *cli_args, script_args=()) -> CheckResult."""
    monkeypatch.chdir(tmp_path)

    def run(source: str, *cli_args: str, script_args: tuple[str, ...] = (), name: str = "train.py") -> CheckResult:
        script = tmp_path / name
        script.write_text(textwrap.dedent(source))
        out = tmp_path / f"out-{name}"
        argv = ["check", str(script), "--out", str(out), "--quiet", *cli_args]
        if script_args:
            argv += ["--", *script_args]
        return CheckResult(main(argv), out)

    return run


def assert_example_diagnosed(tmp_path: Path, example: str, category: str, where: str, figure: str) -> dict[str, Any]:
    """Check a seeded example for 30 steps: its category first, as an error, at ``where``, with its figure."""
    out = tmp_path / "run"
    code = main(["check", str(EXAMPLES / example), "--max-steps", "30", "--out", str(out), "--quiet"])
    first = json.loads((out / "findings.json").read_text())["findings"][0]
    assert code == 1
    assert first["category"] == category and first["where"] == where
    assert first["severity"] == "error"
    assert (out / "figures" / figure).exists()
    return first

"""End to end on buggy_examples/: each seeded bug found in the top three, clean controls silent.

Each script names what it expects on a line ``# traindebug-expect: <category>``
(or ``clean``). This runs the real command line in a subprocess, as a user would. It takes about
15 minutes on 2 cores, so it is the slow suite: ``python -m pytest -n 2 -m slow``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "buggy_examples"
EXPECT = re.compile(r"^# traindebug-expect:\s*(\w+)\s*$", re.M)


def expected(script: Path) -> str | None:
    match = EXPECT.search(script.read_text(encoding="utf-8"))
    return match.group(1) if match else None


# Only the folder's own scripts: buggy_examples/heldout/ is the held-out set, written without
# looking at the rules and measured on its own (python benchmarks/detection.py
# buggy_examples/heldout); it is left out here on purpose, to keep it a measurement rather than a
# target the rules are fitted to, and the slow suite's runtime (~15 min) unchanged.
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if expected(p))

#: seeded examples the current rules miss, and why (kept visible rather than tuned away)
KNOWN_MISSES = {
    "dead_units_functional_relu": "48-53 % of one layer's units die, at the 50 % per-layer threshold (SageMaker DeadRelu default)",
    "underfitting_bottleneck": "the loss still falls 9 % per quarter of the 300 observed steps, so no plateau is seen",
}


def run_check(script: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "traindebug", "check", str(script), "--out", str(out), "--quiet"],
        cwd=script.parent, capture_output=True, text=True, timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return json.loads((out / "findings.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize(
    "script",
    [pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_MISSES[p.stem])) if p.stem in KNOWN_MISSES else p for p in SCRIPTS],
    ids=[p.stem for p in SCRIPTS],
)
def test_example(script: Path, tmp_path: Path) -> None:
    category = expected(script)
    doc = run_check(script, tmp_path / "out")
    serious = [f["category"] for f in doc["findings"] if f["severity"] in ("warning", "error")]
    if category == "clean":
        assert serious == [], [f["title"] for f in doc["findings"] if f["severity"] != "info"]
    else:
        assert category in serious[:3], f"expected {category} in top 3, got {serious}"

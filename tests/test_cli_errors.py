"""Exit codes and bad input: clear one-line messages, never a traceback, never lost data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TRAIN = """
import torch
from torch import nn
torch.manual_seed(0)
X, y = torch.randn(128, 8), torch.randint(0, 3, (128,))
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range({steps}):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    opt.step()
    {extra}
"""


def cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "traindebug", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_missing_script_exit_2_one_line(tmp_path: Path) -> None:
    proc = cli("check", "nope.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "nope.py" in proc.stderr and "Traceback" not in proc.stderr


def test_syntax_error_exit_2_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    proc = cli("check", "bad.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "syntax error" in proc.stderr and "line 1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    proc = cli("check", "x.py", "--fail-on", "sometimes", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_crashing_script_gives_script_error_and_logbook(check) -> None:
    result = check(TRAIN.format(steps=30, extra="if step == 12: model(torch.randn(4, 5))"))
    assert result.code == 1
    doc = result.doc
    assert doc["status"] == "crashed"
    first = doc["findings"][0]
    assert first["category"] == "script_error" and first["severity"] == "error"
    assert "mat1 and mat2" in first["observation"] or "shapes" in first["observation"]
    assert any(f["file"].endswith("train.py") for f in first["evidence"]["frames"])
    assert "train.py:" in first["where"]
    assert doc["steps"] == 13  # steps 0..12 completed before the crash after step 12
    logbook = (result.out / "logbook.md").read_text()
    assert "script_error" in logbook and "Observation" in logbook


def test_script_that_trains_nothing_is_told_clearly(tmp_path: Path) -> None:
    (tmp_path / "nothing.py").write_text("print('hello')\n")
    proc = cli("check", "nothing.py", "--out", "o", cwd=tmp_path)
    assert proc.returncode == 2
    assert "without a single backward pass" in proc.stderr
    assert (tmp_path / "o" / "findings.json").is_file()


def test_nans_everywhere_are_reported_not_raised(check) -> None:
    source = TRAIN.format(steps=20, extra="").replace("X, y = torch.randn(128, 8)", "X, y = torch.full((128, 8), float('nan'))")
    result = check(source)
    assert result.code == 1
    assert result.categories()[0] in ("non_finite", "input_scale")
    assert "non_finite" in result.categories()


def test_exit_code_follows_fail_on(check) -> None:
    buggy = TRAIN.format(steps=40, extra="").replace("opt.zero_grad()", "pass")
    assert check(buggy, name="a.py").code == 1
    assert check(buggy, "--fail-on", "never", name="b.py").code == 0
    assert check(buggy, "--fail-on", "error", name="c.py").code == 1  # missing_zero_grad is an error
    assert check(TRAIN.format(steps=40, extra=""), name="d.py").code == 0


def test_ctrl_c_gives_interrupted_status_and_outputs(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(TRAIN.format(steps=100000, extra="import time; time.sleep(0.01)"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "traindebug", "check", "slow.py", "--out", "o", "--max-steps", "100000", "--quiet"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    metrics = tmp_path / "o" / "metrics.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not metrics.exists() or metrics.read_text().count('"kind":"step"') < 5):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()  # a run that ignored the interrupt must not outlive the test and load the ones after it
    assert "Traceback" not in err
    doc = json.loads((tmp_path / "o" / "findings.json").read_text())
    assert doc["status"] == "interrupted"
    assert doc["steps"] >= 5
    assert (tmp_path / "o" / "logbook.md").is_file()


def test_kill_9_leaves_a_readable_store(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(TRAIN.format(steps=100000, extra="import time; time.sleep(0.01)"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "traindebug", "check", "slow.py", "--out", "o", "--max-steps", "100000", "--quiet"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    metrics = tmp_path / "o" / "metrics.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not metrics.exists() or metrics.read_text().count('"kind":"step"') < 5):
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    lines = metrics.read_text().splitlines()
    parsed = [json.loads(line) for line in lines[:-1]]
    assert parsed[0]["kind"] == "meta"
    assert sum(r["kind"] == "step" for r in parsed) >= 4

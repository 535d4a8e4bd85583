"""`traindebug report`: rebuild logbook.md and logbook.pdf from a run folder, also after a kill."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from pypdf import PdfReader
from torch import nn

import traindebug
from traindebug.cli import main


def _text(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run observed with ``traindebug.watch(pdf=True)`` whose loop never calls zero_grad."""
    out = tmp_path_factory.mktemp("report") / "run"

    @traindebug.watch(out=out, max_steps=30, pdf=True, quiet=True)
    def train() -> None:
        torch.manual_seed(0)
        x, y = torch.randn(128, 10), torch.randint(0, 3, (128,))
        model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        for _ in range(100):
            for i in range(0, 128, 16):
                nn.functional.cross_entropy(model(x[i : i + 16]), y[i : i + 16]).backward()
                opt.step()

    train()
    assert any(f.category == "missing_zero_grad" for f in train.findings)
    return out


def test_watch_with_pdf_writes_the_pdf(watched: Path) -> None:
    text = _text(watched / "logbook.pdf")
    assert "gradients carry over" in text.lower()
    assert "status max_steps" in text


def _kill(src: Path, dst: Path) -> Path:
    """Copy a run folder as a kill -9 would have left it: no end record, last line torn mid-way."""
    shutil.copytree(src, dst)
    for name in ("findings.json", "logbook.md", "logbook.pdf"):
        (dst / name).unlink()
    shutil.rmtree(dst / "figures")
    lines = (dst / "metrics.jsonl").read_text().splitlines(keepends=True)
    assert json.loads(lines[-1])["kind"] == "end"
    body = [line for line in lines if json.loads(line)["kind"] not in ("end", "script_error")]
    (dst / "metrics.jsonl").write_text("".join(body[:-1]) + body[-1][: len(body[-1]) // 2])
    return dst


def test_report_rebuilds_a_killed_run_with_a_torn_last_line(watched: Path, tmp_path: Path, capsys) -> None:
    run = _kill(watched, tmp_path / "killed")
    target = tmp_path / "nested" / "killed.pdf"
    assert main(["report", str(run), "--out", str(target)]) == 0  # --out implies --pdf
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and str(target) in captured.out
    assert not (run / "logbook.pdf").exists()
    doc = json.loads((run / "findings.json").read_text())
    assert doc["status"] == "interrupted" and doc["killed"] is True
    steps = sum('"kind":"step"' in line for line in (run / "metrics.jsonl").read_text().splitlines()[:-1])
    assert doc["steps"] == steps
    assert any(f["category"] == "missing_zero_grad" for f in doc["findings"])
    markdown = (run / "logbook.md").read_text()
    assert "killed" in markdown and "ends abruptly" in markdown
    assert (run / "figures" / "loss.png").is_file()
    text = _text(target)
    assert "status killed" in text and "wall time unknown" in text
    assert "gradients carry over" in text.lower()


def test_report_on_unreadable_metrics_still_writes_a_logbook(tmp_path: Path, capsys) -> None:
    (tmp_path / "metrics.jsonl").write_text("not json at all\n{\"kind\": \"ste")
    assert main(["report", str(tmp_path), "--pdf"]) == 0  # the PDF goes into the run folder by default
    assert "Traceback" not in capsys.readouterr().err
    assert "Nothing to judge" in (tmp_path / "logbook.md").read_text()
    assert "status killed" in _text(tmp_path / "logbook.pdf")


def test_report_on_a_folder_without_metrics_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "no metrics.jsonl" in capsys.readouterr().err

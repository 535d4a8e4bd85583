"""The PDF logbook: a real file whose text, figures and first page say what the run found."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pymupdf
import pytest
from pypdf import PdfReader

from traindebug.cli import main

TRAIN = """
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(256, 20)
y = (X @ torch.randn(20, 4)).argmax(1)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(100):
    for i in range(0, 256, 32):
        {zero}
        loss = nn.functional.cross_entropy(model(X[i:i + 32]), y[i:i + 32])
        loss.backward()
        opt.step()
        {extra}
"""


def _check_pdf(folder: Path, name: str, zero: str, extra: str = "", steps: int = 60) -> tuple[int, Path]:
    script = folder / name
    script.write_text(textwrap.dedent(TRAIN.format(zero=zero, extra=extra)))
    out = folder / f"out-{script.stem}"
    code = main(["check", str(script), "--out", str(out), "--quiet", "--pdf", "--max-steps", str(steps)])
    return code, out


def pdf_text(path: Path) -> str:
    """All text of a PDF as pypdf extracts it, whitespace collapsed."""
    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def buggy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run that never calls optimizer.zero_grad(), checked with --pdf."""
    code, out = _check_pdf(tmp_path_factory.mktemp("pdf"), "no_zero_grad.py", zero="pass")
    assert code == 1
    return out


def test_pdf_holds_the_findings_titles_and_numbers(buggy: Path) -> None:
    findings = json.loads((buggy / "findings.json").read_text())["findings"]
    assert any(f["category"] == "missing_zero_grad" for f in findings)
    text = pdf_text(buggy / "logbook.pdf").lower()
    for f in findings:
        assert f["title"].lower() in text
        assert f"{f['id'].lower()}." in text
        for key, value in f["evidence"].items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
            assert f"{key.lower()} {shown}" in text, (key, shown)
    assert "observation." in text and "hypothesis." in text and "suggested check." in text
    assert "what these data cannot show" in text
    assert "appendix: metrics recorded" in text


def test_pdf_embeds_the_figures_and_numbers_its_pages(buggy: Path) -> None:
    drawn = sorted(p.name for p in (buggy / "figures").glob("*.png"))
    markdown = (buggy / "logbook.md").read_text()
    assert drawn and all(f"figures/{name}" in markdown for name in drawn)
    doc = pymupdf.open(buggy / "logbook.pdf")
    images = sum(len(page.get_images()) for page in doc)
    assert images == len(drawn)
    for page in doc:
        assert f"page {page.number + 1} of {doc.page_count}" in page.get_text()
    assert [entry[1] for entry in doc.get_toc() if entry[0] == 2][:2] == ["Verdict", "Run"]


def test_first_page_states_the_verdict_and_is_not_blank(buggy: Path) -> None:
    doc = pymupdf.open(buggy / "logbook.pdf")
    first = doc[0]
    text = " ".join(first.get_text().split())
    title = json.loads((buggy / "findings.json").read_text())["findings"][0]["title"]
    assert "Verdict" in text and title.lower() in text.lower()
    assert "status max_steps" in text and "optimizer steps recorded 60" in text
    pix = first.get_pixmap(dpi=60, colorspace=pymupdf.csGRAY)
    assert pix.tobytes("png").startswith(b"\x89PNG")
    inked = sum(1 for value in pix.samples if value < 250) / len(pix.samples)
    assert inked > 0.03  # page 1 of a logbook inks ~10 %; a blank page with only the footer ~0.2 %


def test_clean_run_gets_a_pdf_that_says_no_problems(tmp_path: Path) -> None:
    code, out = _check_pdf(tmp_path, "clean.py", zero="opt.zero_grad()", steps=30)
    assert code == 0
    text = pdf_text(out / "logbook.pdf")
    assert "No problems found" in text
    assert "does not prove that the training is right" in text


def test_crashed_run_gets_a_pdf_with_the_exception(tmp_path: Path) -> None:
    raise_ = 'if epoch == 1 and i == 64: raise ValueError("batch <17> is broken")'
    code, out = _check_pdf(tmp_path, "crash.py", zero="opt.zero_grad()", extra=raise_)
    assert code == 1
    doc = json.loads((out / "findings.json").read_text())
    assert doc["status"] == "crashed"
    text = pdf_text(out / "logbook.pdf")
    assert "status crashed" in text
    assert 'ValueError: batch <17> is broken' in text  # '<17>' kept as text, not eaten as a tag


def test_pdf_text_is_selectable_unicode(buggy: Path) -> None:
    reader = PdfReader(io.BytesIO((buggy / "logbook.pdf").read_bytes()))
    assert reader.metadata is not None and reader.metadata.title.startswith("traindebug logbook")
    assert "‖Δw‖/‖w‖" in " ".join(page.extract_text() for page in reader.pages)

"""Rebuild a run's findings and logbook from its metrics.jsonl (also after a crash or kill)."""

from __future__ import annotations

from pathlib import Path

from traindebug.engine import judge
from traindebug.output import write_outputs
from traindebug.plugins import plugin_manager


def rebuild(run_dir: Path, pdf: bool = False, pdf_path: Path | None = None) -> Path:
    """Judge the run again and write findings.json, logbook.md (and the PDF).

    Returns the logbook path (the PDF's path when ``pdf`` is set).
    """
    pm = plugin_manager()
    verdict = judge(run_dir, pm)
    logbook = write_outputs(run_dir, verdict, pm, pdf=False)
    if not pdf:
        return logbook
    from traindebug.logbook.pdf import render_pdf

    target = pdf_path or run_dir / "logbook.pdf"
    render_pdf(logbook, target)
    return target

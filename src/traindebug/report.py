"""Rebuild a run's findings and logbook from its metrics.jsonl (also after a crash or kill).

``metrics.jsonl`` is appended and flushed while the run goes, so a run that
crashed, was interrupted or was killed (even mid-line: the torn last line is
skipped) can be judged again and get its logbook and PDF afterwards.
"""

from __future__ import annotations

from pathlib import Path

from traindebug.engine import judge
from traindebug.output import write_outputs
from traindebug.plugins import plugin_manager


def rebuild(run_dir: Path, pdf: bool = False, pdf_path: Path | None = None) -> Path:
    """Judge the run again and write findings.json, logbook.md (and the PDF).

    A ``pdf_path`` implies ``pdf``; an existing folder as ``pdf_path`` receives
    ``logbook.pdf``. Returns the logbook path (the PDF's path when a PDF is
    written).
    """
    pm = plugin_manager()
    verdict = judge(run_dir, pm)
    logbook = write_outputs(run_dir, verdict, pm, pdf=False)
    if not pdf and pdf_path is None:
        return logbook
    from traindebug.logbook.pdf import render_pdf

    target = pdf_path or run_dir / "logbook.pdf"
    return render_pdf(logbook, target / "logbook.pdf" if target.is_dir() else target)

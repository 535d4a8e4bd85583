"""Write a run's outputs: findings.json, figures, logbook.md and optionally the PDF."""

from __future__ import annotations

from pathlib import Path

import pluggy

from traindebug.engine import Verdict, write_findings_json
from traindebug.logbook.markdown import write_logbook


def write_outputs(run_dir: Path, verdict: Verdict, pm: pluggy.PluginManager, pdf: bool = False) -> Path:
    """Write every output into ``run_dir``; returns the logbook path."""
    write_findings_json(run_dir / "findings.json", verdict)
    logbook = write_logbook(run_dir, verdict, pm)
    if pdf:
        from traindebug.logbook.pdf import render_pdf

        render_pdf(logbook, run_dir / "logbook.pdf")
    return logbook

"""Render logbook.md to PDF (placeholder until the PDF issue lands)."""

from __future__ import annotations

from pathlib import Path


def render_pdf(markdown_path: Path, pdf_path: Path) -> Path:
    """Render the Markdown logbook to ``pdf_path``."""
    raise NotImplementedError("PDF rendering is not available yet")

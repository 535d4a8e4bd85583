"""Render logbook.md to logbook.pdf: the same document, laid out for reading and printing.

Why these libraries: ``markdown-it-py`` (CommonMark with tables; already
installed with rich) turns the Markdown into HTML, and PyMuPDF's ``Story``
lays that HTML out into PDF pages with the figures embedded, tables and real,
selectable text. Both install from PyPI as wheels for Linux, macOS and Windows
with no system packages (unlike WeasyPrint, which needs Pango, or wkhtmltopdf
and LaTeX, which are programs of their own). After the layout, PyMuPDF adds
what HTML cannot: page numbers and a footer on every page, the document
metadata and a bookmark outline of the headings.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from traindebug.logbook.markdown import PAGE_BREAK


def _import_pymupdf() -> Any:
    """Import PyMuPDF without its optional layout-analysis add-on.

    PyMuPDF >= 1.26 imports ``pymupdf.layout`` (onnxruntime) when it is installed,
    about 1 s of CPU that writing a PDF does not need. The ``None`` entry makes
    that one import fail quietly; it is removed again, so a later explicit
    ``import pymupdf.layout`` still works.
    """
    if "pymupdf" in sys.modules:
        return sys.modules["pymupdf"]
    blocked = "pymupdf.layout" not in sys.modules
    if blocked:
        sys.modules["pymupdf.layout"] = None  # type: ignore[assignment]
    try:
        import pymupdf
    finally:
        if blocked:
            del sys.modules["pymupdf.layout"]
    return pymupdf


pymupdf = _import_pymupdf()

PAPER = "a4"
#: page margins in points (left, top, right, bottom); the bottom one leaves room for the footer
MARGINS = (54, 50, 54, 62)

CSS = """
body { font-family: sans-serif; font-size: 9.5pt; line-height: 1.35; color: #1a1a1a; }
h1 { font-size: 17pt; margin: 0 0 6pt 0; color: #0b3d63; }
h2 { font-size: 13pt; margin: 12pt 0 5pt 0; color: #0b3d63; border-bottom: 0.6pt solid #9fb4c7; }
h3 { font-size: 11pt; margin: 12pt 0 3pt 0; color: #1a1a1a; }
p { margin: 0 0 5pt 0; }
ol, ul { margin: 0 0 6pt 0; }
li { margin: 0 0 4pt 0; }
code { font-family: monospace; font-size: 8.5pt; color: #333333; }
pre { white-space: pre-wrap; font-size: 8pt; background-color: #f3f5f7; padding: 4pt; margin: 0 0 6pt 0; }
blockquote { margin: 2pt 0 6pt 10pt; padding-left: 6pt; border-left: 2pt solid #E69F00; color: #444444; }
/* no background on th: MuPDF's Story repaints th backgrounds on every later page */
table { border-collapse: collapse; margin: 2pt 0 8pt 0; font-size: 8.5pt; }
td, th { border: 0.5pt solid #b0b8c0; padding: 2pt 5pt; vertical-align: top; }
th { text-align: left; border-bottom: 1.2pt solid #6f7f8f; }
img { width: 100%; margin: 4pt 0 0 0; }
em { color: #333333; }
"""


def _markdown() -> MarkdownIt:
    # html off: text such as "<lambda>" in a module name stays text
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_pdf(markdown_path: Path, pdf_path: Path) -> Path:
    """Render the Markdown logbook (figures relative to its folder) to ``pdf_path``."""
    text = Path(markdown_path).read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "traindebug logbook")
    doc, toc = _layout(text, Path(markdown_path).parent)
    _add_footer(doc, title)
    doc.set_metadata({"title": title, "creator": "traindebug", "producer": f"PyMuPDF {pymupdf.VersionBind}"})
    doc.set_toc(toc)
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(pdf_path, garbage=3, deflate=True)
    doc.close()
    return pdf_path


def _layout(text: str, folder: Path) -> tuple[Any, list[list[Any]]]:
    """Lay out each page-break section from a new page; returns the document and its outline."""
    md = _markdown()
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page_rect = pymupdf.paper_rect(PAPER)
    where = page_rect + (MARGINS[0], MARGINS[1], -MARGINS[2], -MARGINS[3])
    toc: list[list[Any]] = []
    pages = 0

    def outline(position: Any) -> None:
        if position.heading and position.open_close & 1 and position.text:
            toc.append([position.heading, position.text.strip(), pages, position.rect[1]])

    for section in (s for s in text.split(PAGE_BREAK) if s.strip()):
        story = pymupdf.Story(html=md.render(section), user_css=CSS, archive=str(folder))
        more = 1
        while more:
            pages += 1
            device = writer.begin_page(page_rect)
            more, _ = story.place(where)
            story.element_positions(outline)
            story.draw(device)
            writer.end_page()
    writer.close()
    return pymupdf.open("pdf", buffer.getvalue()), _nested(toc)


def _nested(toc: list[list[Any]]) -> list[list[Any]]:
    """Outline entries whose levels never jump by more than one (set_toc requires it)."""
    out: list[list[Any]] = []
    for level, title, page, top in toc:
        level = min(level, (out[-1][0] + 1) if out else 1)
        out.append([level, title, page, top])  # top: y of the heading, from the top of the page
    return out


def _add_footer(doc: Any, title: str) -> None:
    """A thin rule, the document title and 'page i of n' at the foot of every page."""
    count = doc.page_count
    for page in doc:
        rect = page.rect
        y = rect.height - MARGINS[3] + 24
        page.draw_line((MARGINS[0], y - 11), (rect.width - MARGINS[2], y - 11), color=(0.7, 0.74, 0.78), width=0.5)
        page.insert_text((MARGINS[0], y), title, fontsize=7.5, fontname="helv", color=(0.35, 0.35, 0.35))
        label = f"page {page.number + 1} of {count}"
        width = pymupdf.get_text_length(label, fontname="helv", fontsize=7.5)
        page.insert_text((rect.width - MARGINS[2] - width, y), label, fontsize=7.5, fontname="helv",
                         color=(0.35, 0.35, 0.35))

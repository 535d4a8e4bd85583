"""The logbook: Markdown, figures and PDF."""

"""What the user sees on stderr: a live line while the run goes, a findings table after."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

if TYPE_CHECKING:
    from traindebug.engine import Verdict
    from traindebug.store import MetricStore

PLAIN_EVERY_S = 5.0


class Terminal:
    """A rich live view on a TTY; a plain line every few seconds otherwise."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.console = Console(stderr=True, highlight=False)
        self._live: Live | None = None
        self._last = 0.0

    def start(self, script: str, out_dir: Path) -> None:
        """Announce the run."""
        if self.quiet:
            return
        self.console.print(f"[bold]traindebug[/bold] observing {script} -> {out_dir}")
        if self.console.is_terminal:
            self._live = Live(console=self.console, refresh_per_second=4, transient=True)
            self._live.start()

    def step(self, step: int, store: "MetricStore") -> None:
        """Show the latest written step (never forces a device sync)."""
        if self.quiet:
            return
        now = time.monotonic()
        if self._live is None and now - self._last < PLAIN_EVERY_S:
            return
        self._last = now
        line = _status_line(store.last_written)
        if self._live is not None:
            self._live.update(line)
        else:
            print(f"traindebug: {line}", file=sys.stderr, flush=True)

    def finish(self, verdict: "Verdict", out_dir: Path) -> None:
        """Stop the live view and print the findings table."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        if self.quiet:
            return
        doc = verdict.to_json()
        self.console.print(
            f"traindebug: status [bold]{doc['status']}[/bold], {doc['steps']} steps, "
            f"{doc['wall_time_s']} s ({doc['overhead_s']} s traindebug)"
        )
        if verdict.findings:
            table = Table(title="findings (root cause first)", title_justify="left")
            for col in ("id", "severity", "category", "where", "title"):
                table.add_column(col)
            colour = {"error": "red", "warning": "yellow", "info": "cyan"}
            for f in verdict.findings:
                table.add_row(
                    f.id,
                    f"[{colour[f.severity]}]{f.severity}[/]",
                    f.category,
                    f.where or "",
                    f.title + (f" (see {f.explained_by})" if f.explained_by else ""),
                )
            self.console.print(table)
        else:
            self.console.print("traindebug: no findings")
        self.console.print(f"logbook: {out_dir / 'logbook.md'}")


def _status_line(record: dict[str, Any] | None) -> str:
    if not record:
        return "waiting for the first step"
    parts = [f"step {record.get('step')}"]
    for key in ("loss", "grad_norm"):
        value = record.get(key)
        if isinstance(value, (int, float)):
            parts.append(f"{key} {value:.4g}")
    return "  ".join(parts)

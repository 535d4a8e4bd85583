"""Figure registration: a figure maker draws one PNG from a run's metrics.

Plugins return ``Figure`` objects from the ``traindebug_figures`` hook; the
logbook draws every figure whose data the run has, and findings refer to
figures by ``name``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from traindebug.findings import Finding
from traindebug.store import RunData

#: draws into ``path`` and returns True, or returns False when there is nothing to draw
DrawFn = Callable[[RunData, list[Finding], Path], bool]


@dataclass(frozen=True)
class Figure:
    """A named figure, its caption and the metrics it needs."""

    name: str
    caption: str
    needs: tuple[str, ...]
    draw: DrawFn

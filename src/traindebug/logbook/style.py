"""One figure style for every plot: readable when printed, same size everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WIDTH_IN = 6.4
DPI = 130


def new_figure(height: float = 3.2) -> tuple[Any, Any]:
    """A figure and axes in the logbook style."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height), dpi=DPI)
    ax.grid(True, which="major", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def save(fig: Any, path: Path) -> None:
    """Write the PNG and free the figure."""
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

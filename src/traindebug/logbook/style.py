"""One figure style for every plot: readable when printed, same size everywhere.

Every figure maker (built-in or a plugin's) draws through ``new_figure`` and
``save`` so that the logbook's figures share width, fonts, colours and
resolution. Figures are 6.4 in wide, about the text width of an A4/Letter page
with 2 cm margins, so 8-9 pt text in the figure prints at 8-9 pt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib
from matplotlib.figure import Figure as _MplFigure

WIDTH_IN = 6.4
DPI = 150

#: colours by meaning (colour-blind safe Okabe-Ito hues)
COLORS = {
    "main": "#0072B2",
    "second": "#E69F00",
    "third": "#009E73",
    "reference": "#7f7f7f",
    "error": "#C62828",
    "warning": "#E69F00",
    "info": "#56B4E9",
}

RC = {
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(
        color=[COLORS["main"], COLORS["second"], COLORS["third"], "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
    ),
    "image.cmap": "viridis",
    "savefig.facecolor": "white",
}

#: most row labels a per-layer heatmap prints before it thins them out
MAX_ROW_LABELS = 32


def figure_style() -> Any:
    """Context manager that applies the logbook style (the logbook draws every figure inside it).

    A context, not a global rcParams change, and figures are made without
    pyplot: the user's own plots and backend in the same process are untouched.
    """
    return matplotlib.rc_context(RC)


def new_figure(height: float = 3.0, ncols: int = 1, sharey: bool = False) -> tuple[Any, Any]:
    """A figure and its axes (an array of ``ncols`` axes if ncols > 1) in the logbook style."""
    fig = _MplFigure(figsize=(WIDTH_IN, height), dpi=DPI)
    axes = fig.subplots(1, ncols, sharey=sharey, squeeze=True)
    for ax in axes if ncols > 1 else [axes]:
        ax.grid(True, which="major", alpha=0.3, lw=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def step_axis(ax: Any, label: str = "optimizer step") -> None:
    """Label the x axis as steps, with integer ticks only."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label)


def row_labels(ax: Any, names: Sequence[str], fontsize: float = 6.5) -> None:
    """Label the rows of a heatmap, thinning the labels when there are too many to read."""
    stride = max(1, -(-len(names) // MAX_ROW_LABELS))
    ticks = list(range(0, len(names), stride))
    ax.set_yticks(ticks)
    ax.set_yticklabels([names[i] for i in ticks], fontsize=fontsize)
    ax.grid(False)


def heatmap_height(rows: int) -> float:
    """Figure height (inches) that keeps heatmap rows legible, within page bounds."""
    return min(7.5, max(2.4, 0.16 * min(rows, MAX_ROW_LABELS) + 1.2))


def save(fig: Any, path: Path) -> None:
    """Write the PNG (tight layout unless the figure chose its own layout engine)."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=DPI)


def mark_findings(ax: Any, findings: Sequence[Any]) -> None:
    """Draw a dashed line where warning/error findings begin, labelled with their ids.

    Findings that begin at the same step share one line and one label ("F1 F3");
    labels of lines close together are stacked so they stay legible.
    """
    by_step: dict[int, list[Any]] = {}
    for f in findings:
        if f.severity != "info" and f.step is not None:
            by_step.setdefault(f.step, []).append(f)
    if not by_step:
        return
    low, high = ax.get_xlim()
    span = max(high - low, 1e-9)
    last_x, level = None, 0
    for step in sorted(by_step):
        group = by_step[step]
        colour = COLORS["error" if any(f.severity == "error" for f in group) else "warning"]
        ax.axvline(step, color=colour, lw=0.9, ls="--", alpha=0.8, zorder=1)
        level = level + 1 if last_x is not None and (step - last_x) / span < 0.06 else 0
        last_x = step
        ax.annotate(
            " ".join(f.id for f in group), xy=(step, 1.0), xycoords=("data", "axes fraction"),
            xytext=(2, -2 - 9 * (level % 4)), textcoords="offset points", fontsize=7, color=colour,
            va="top", ha="left", fontweight="bold",
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )


def legend_above(ax: Any) -> None:
    """A legend in one row above the axes, where it never hides data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=min(len(handles), 3),
                  borderaxespad=0.0, handlelength=1.8, columnspacing=1.2)

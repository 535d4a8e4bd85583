"""The core figures: loss, gradient norm, per-layer gradients and updates, activation health.

Registered through the ``traindebug_figures`` hook like any plugin's figures.
Per-layer figures are heatmaps (rows: parameter tensors or modules in model
order, input side on top; columns: steps) so that a model with many layers
still fits on one page.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from traindebug.findings import Finding
from traindebug.logbook.figures import Figure
from traindebug.logbook.style import (
    COLORS,
    heatmap_height,
    legend_above,
    mark_findings,
    new_figure,
    row_labels,
    save,
    step_axis,
)
from traindebug.plugins import hookimpl
from traindebug.store import RunData, to_float

#: most heatmap columns drawn; longer runs are subsampled evenly
MAX_COLUMNS = 600
#: typical update-to-weight ratio (log10), the centre of the update-ratio colour scale;
#: Karpathy, "A Recipe for Training Neural Networks" (2019) and CS231n: ~1e-3
TYPICAL_UPDATE_RATIO_LOG10 = -3.0


def _finite(xs: list[int], ys: list[float]) -> tuple[list[int], list[float]]:
    pairs = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _running_median(ys: list[float], window: int) -> list[float]:
    """Centred running median over ``window`` values (narrower at the ends); robust to single spikes."""
    half = window // 2
    values = np.asarray(ys, dtype=float)
    return [float(np.median(values[max(0, i - half) : i + half + 1])) for i in range(len(values))]


def _log_if_wide(ax: Any, trend: list[float], ys: list[float]) -> None:
    """Log scale when the values span more than 1.5 decades; the axis stops two decades below the trend."""
    if ys and trend and min(ys) > 0 and max(ys) / min(ys) > 30:
        ax.set_yscale("log")
        ax.set_ylim(bottom=max(min(ys), min(trend) / 100) / 1.5)


def _mark_non_finite(ax: Any, xs: list[int], ys: list[float], what: str) -> None:
    bad = [x for x, y in zip(xs, ys) if not math.isfinite(y)]
    if bad:
        ax.axvspan(bad[0], xs[-1], color=COLORS["error"], alpha=0.08, lw=0)
        ax.annotate(f"{what} NaN/Inf from step {bad[0]}", xy=(bad[0], 0.02), xycoords=("data", "axes fraction"),
                    xytext=(3, 0), textcoords="offset points", fontsize=7, color=COLORS["error"])


def draw_loss(run: RunData, findings: list[Finding], path: Path) -> bool:
    """Training loss (raw and smoothed), evaluation loss, chance level, finding markers."""
    all_x, all_y = run.floats("loss")
    xs, ys = _finite(all_x, all_y)
    if len(all_x) < 2 or not xs:
        return False
    fig, ax = new_figure()
    window = max(1, len(ys) // 25)
    trend = _running_median(ys, window)
    if window > 1:
        ax.plot(xs, ys, lw=0.6, color=COLORS["main"], alpha=0.35, label="training loss (per step)")
        ax.plot(xs, trend, lw=1.6, color=COLORS["main"], label=f"running median of {window} steps")
    else:
        ax.plot(xs, ys, "o-" if len(xs) < 3 else "-", ms=3, lw=1.4, color=COLORS["main"], label="training loss")
    ex, ey = _finite(*run.floats("eval_loss"))
    if ex:
        ax.plot(ex, ey, "o-", ms=3, lw=1, color=COLORS["second"], label="evaluation loss")
    chance = (run.last("loss_fn") or {}).get("chance_loss")
    if chance:
        ax.axhline(chance, color=COLORS["reference"], ls=":", lw=1.2, label=f"chance level ln C = {chance:.3g}")
    _log_if_wide(ax, trend + ey, ys + ey)
    _mark_non_finite(ax, all_x, all_y, "loss")
    mark_findings(ax, findings)
    step_axis(ax)
    ax.set_ylabel("loss")
    legend_above(ax)
    save(fig, path)
    return True


def _mark_zeros(ax: Any, xs: list[float], colour: str) -> None:
    """Zeros have no place on a log axis: mark them with an x on the bottom edge."""
    bottom = ax.get_ylim()[0]
    ax.plot(xs, [bottom] * len(xs), "x", ms=5, mew=1.3, color=colour, clip_on=False, zorder=3)


def _positive(ys: list[float]) -> list[float]:
    return [y if y > 0 else math.nan for y in ys]


def draw_grad_norm(run: RunData, findings: list[Finding], path: Path) -> bool:
    """Total gradient norm (and the norm before clipping), log scale, finding markers."""
    xs, ys = _finite(*run.floats("grad_norm"))
    if len(xs) < 2 or max(ys) <= 0:
        return False
    fig, ax = new_figure()
    ax.plot(xs, _positive(ys), lw=1.3, color=COLORS["main"], label="total gradient norm seen by the optimizer")
    cx, cy = _finite(*run.floats("clip_total_norm"))
    if cx:
        ax.plot(cx, _positive(cy), lw=1, alpha=0.8, color=COLORS["second"], label="norm before clipping")
        mx, my = _finite(*run.floats("clip_max_norm"))
        if my:
            ax.axhline(my[-1], color=COLORS["reference"], ls=":", lw=1.2, label=f"clipping threshold {my[-1]:.3g}")
    ax.set_yscale("log")
    zeros = [x for x, y in zip(xs, ys) if y == 0]
    if zeros:
        _mark_zeros(ax, zeros, COLORS["main"])
        ax.plot([], [], "x", color=COLORS["main"], label=f"zero gradient ({len(zeros)} steps)")
    mark_findings(ax, findings)
    step_axis(ax)
    ax.set_ylabel("L2 norm")
    legend_above(ax)
    save(fig, path)
    return True


def _per_tensor_matrix(run: RunData, key: str) -> tuple[list[int], np.ndarray] | None:
    """(steps, array tensors x steps) of a per-tensor step key; NaN where a tensor has no value."""
    steps, rows = run.series(key)
    rows_ok = [(s, r) for s, r in zip(steps, rows) if isinstance(r, list)]
    if len(rows_ok) < 2:
        return None
    if len(rows_ok) > MAX_COLUMNS:
        keep = np.linspace(0, len(rows_ok) - 1, MAX_COLUMNS).round().astype(int)
        rows_ok = [rows_ok[i] for i in keep]
    width = max(len(r) for _, r in rows_ok)
    data = np.full((width, len(rows_ok)), np.nan)
    for j, (_, r) in enumerate(rows_ok):
        data[: len(r), j] = [to_float(v) for v in r]
    return [s for s, _ in rows_ok], data


def _log10_positive(data: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.where(data > 0, data, np.nan))


def _step_edges(steps: list[int]) -> np.ndarray:
    s = np.asarray(steps, dtype=float)
    mids = (s[1:] + s[:-1]) / 2
    return np.concatenate([[s[0] - (mids[0] - s[0])], mids, [s[-1] + (s[-1] - mids[-1])]])


def _mesh(ax: Any, steps: list[int], values: np.ndarray, cmap: str, **kw: Any) -> Any:
    import matplotlib

    colours = matplotlib.colormaps[cmap].with_extremes(bad="#d9d9d9")
    rows = np.arange(values.shape[0] + 1) - 0.5
    mesh = ax.pcolormesh(_step_edges(steps), rows, np.ma.masked_invalid(values), cmap=colours, shading="flat", **kw)
    mesh.set_edgecolor("face")
    return mesh


def _tensor_heatmap(run: RunData, key: str, path: Path, label: str, cmap: str, **kw: Any) -> bool:
    """Heatmap of a per-tensor step key on a log10 colour scale; False when there is nothing to show."""
    found = _per_tensor_matrix(run, key)
    if found is None:
        return False
    steps, data = found
    logged = _log10_positive(data)
    if not np.isfinite(logged).any():
        return False
    names = run.tensor_names + [f"tensor {i}" for i in range(len(run.tensor_names), len(logged))]
    names = names[: len(logged)]
    fig, ax = new_figure(height=heatmap_height(len(names)))
    mesh = _mesh(ax, steps, logged, cmap, **kw)
    ax.set_ylim(len(names) - 0.5, -0.5)
    row_labels(ax, names)
    step_axis(ax)
    bar = fig.colorbar(mesh, ax=ax, pad=0.015, extend="both" if "norm" in kw else "neither")
    bar.set_label(label)
    save(fig, path)
    return True


def draw_grad_heatmap(run: RunData, findings: list[Finding], path: Path) -> bool:
    """Per-tensor gradient norm over steps, log10 colour scale."""
    return _tensor_heatmap(run, "grad_norms", path, "log10 gradient norm", "viridis")


def draw_update_ratio(run: RunData, findings: list[Finding], path: Path) -> bool:
    """Per-tensor update-to-weight ratio over steps on a fixed diverging scale centred at 1e-3."""
    from matplotlib.colors import TwoSlopeNorm

    centre = TYPICAL_UPDATE_RATIO_LOG10
    norm = TwoSlopeNorm(vcenter=centre, vmin=centre - 3, vmax=centre + 3)
    return _tensor_heatmap(
        run, "update_ratio", path, "log10 update / weight", "RdBu_r", norm=norm
    )


def _unit_matrix(records: list[dict[str, Any]], field: str) -> tuple[list[str], np.ndarray]:
    """(activation labels, array activations x recorded steps) of one unit_health field; NaN where absent."""
    labels: list[str] = []
    index: dict[str, int] = {}
    for record in records:
        for row in record["layers"]:
            if field in row and row["name"] not in index:
                index[row["name"]] = len(labels)
                labels.append(row["name"] if row["op"] in row["name"] else f"{row['name']} ({row['op']})")
    data = np.full((len(labels), len(records)), np.nan)
    for j, record in enumerate(records):
        for row in record["layers"]:
            if field in row:
                data[index[row["name"]], j] = to_float(row[field])
    return labels, data


def _fraction_panel(ax: Any, labels: list[str], data: np.ndarray, steps: list[int], title: str) -> Any:
    keep = ~np.all(np.isnan(data), axis=1)
    labels, data = [l for l, k in zip(labels, keep) if k], data[keep]
    image = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap="Reds", vmin=0, vmax=1, interpolation="nearest")
    if data.size <= 160:
        for (i, j), value in np.ndenumerate(data):
            if np.isfinite(value):
                ax.text(j, i, f"{100 * value:.0f}%", ha="center", va="center", fontsize=6.5,
                        color="white" if value > 0.6 else "black")
    row_labels(ax, labels)
    stride = max(1, len(steps) // 8)
    ax.set_xticks(range(0, len(steps), stride))
    ax.set_xticklabels([str(s) for s in steps[::stride]])
    ax.set_xlabel("optimizer step (recorded steps)")
    ax.set_title(title)
    return image


def draw_activation_health(run: RunData, findings: list[Finding], path: Path) -> bool:
    """Dead-unit and saturated-output fractions per hidden activation over the recorded steps."""
    records = [r for r in run.records("unit_health") if r.get("layers")]
    if not records:
        return False
    steps = [r["step"] for r in records]
    panels_data = [
        (*_unit_matrix(records, "dead"), "dead ReLU units (never active in the batch)"),
        (*_unit_matrix(records, "saturated"), "saturated outputs (tanh/sigmoid bounds)"),
    ]
    panels_data = [p for p in panels_data if p[0]]
    rows = max(len(labels) for labels, _, _ in panels_data)
    fig, axes = new_figure(height=heatmap_height(rows), ncols=len(panels_data))
    panels = list(axes) if len(panels_data) > 1 else [axes]
    for ax, (labels, data, title) in zip(panels, panels_data):
        image = _fraction_panel(ax, labels, data, steps, title)
    fig.set_layout_engine("constrained")
    bar = fig.colorbar(image, ax=panels, pad=0.015, fraction=0.04)
    bar.set_label("fraction")
    save(fig, path)
    return True


def draw_activation_std(run: RunData, findings: list[Finding], path: Path) -> bool:
    """Output standard deviation of each module at the first and the last recorded step."""
    records = [r for r in run.records("activations") if r.get("modules")]
    if not records:
        return False
    chosen = [records[0]] + ([records[-1]] if len(records) > 1 else [])
    names = [row["module"] for row in records[0]["modules"]]
    kinds = [row.get("kind", "?") for row in records[0]["modules"]]
    fig, ax = new_figure()
    constant: list[tuple[list[int], str]] = []
    for record, marker in zip(chosen, ("o", "s")):
        stds = {row["module"]: to_float(row["std"]) for row in record["modules"]}
        values = [stds.get(n, math.nan) for n in names]
        line = ax.plot(range(len(names)), _positive(values), marker + "-", ms=3.5, lw=1.1,
                       label=f"step {record['step']}")
        constant.append(([i for i, v in enumerate(values) if v == 0], line[0].get_color()))
    ax.set_yscale("log")
    for positions, colour in constant:
        _mark_zeros(ax, positions, colour)
    if any(positions for positions, _ in constant):
        ax.plot([], [], "x", color=COLORS["reference"], label="std 0 (constant output)")
    ax.axhline(1.0, color=COLORS["reference"], ls=":", lw=1)
    stride = max(1, len(names) // 30)
    ax.set_xticks(range(0, len(names), stride))
    labels = [f"{n} ({k})" for n, k in zip(names, kinds)]
    ax.set_xticklabels(labels[::stride], rotation=35, ha="right", fontsize=6.5)
    ax.set_xlabel("module (forward order)")
    ax.set_ylabel("output std")
    legend_above(ax)
    save(fig, path)
    return True


@hookimpl
def traindebug_figures() -> list[Figure]:
    return [
        Figure("loss", "Training loss per optimizer step (evaluation loss and chance level where known). "
               "Dashed lines mark the step where each finding begins.", ("loss",), draw_loss),
        Figure("grad_norm", "Total gradient norm per optimizer step (log scale); dashed lines mark findings.",
               ("grad_norm",), draw_grad_norm),
        Figure("grad_heatmap", "Gradient norm of each parameter tensor over the steps (log10 colour; "
               "rows in model order, input side on top; grey: zero, missing or not finite).", ("grad_norms",), draw_grad_heatmap),
        Figure("update_ratio", "Update-to-weight ratio ‖Δw‖/‖w‖ of each parameter tensor over the steps. "
               "White is the typical 1e-3; red: larger steps, blue: smaller steps; grey: unchanged or not finite.", ("update_ratio",),
               draw_update_ratio),
        Figure("activation_health", "Health of each hidden activation at the recorded steps: fraction of dead ReLU "
               "units (zero for every sample of the batch) and of tanh/sigmoid outputs within 1e-3 of their bounds.",
               ("unit_health",), draw_activation_health),
        Figure("activation_std", "Output standard deviation of each module at the first and the last recorded "
               "step (log scale; dotted: 1).", ("activations",), draw_activation_std),
    ]

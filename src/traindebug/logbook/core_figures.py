"""The core figures: loss, gradient norm, per-layer gradient heatmap, update ratio, activations."""

from __future__ import annotations

import math
from pathlib import Path

from traindebug.findings import Finding
from traindebug.logbook.figures import Figure
from traindebug.logbook.style import new_figure, save
from traindebug.plugins import hookimpl
from traindebug.store import RunData, to_float


def _finite(xs: list[int], ys: list[float]) -> tuple[list[int], list[float]]:
    pairs = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def draw_loss(run: RunData, findings: list[Finding], path: Path) -> bool:
    xs, ys = _finite(*run.floats("loss"))
    if len(xs) < 2:
        return False
    fig, ax = new_figure()
    ax.plot(xs, ys, lw=1.2, label="training loss")
    ex, ey = _finite(*run.floats("eval_loss"))
    if ex:
        ax.plot(ex, ey, "o-", ms=3, lw=1, label="evaluation loss")
    chance = (run.last("loss_fn") or {}).get("chance_loss")
    if chance:
        ax.axhline(chance, color="grey", ls=":", lw=1, label=f"chance ln C = {chance:.3g}")
    for f in findings:
        if f.severity != "info" and f.step is not None and f.step > 0:
            ax.axvline(f.step, color="tab:red", lw=0.8, alpha=0.6)
            ax.annotate(f.id, (f.step, ax.get_ylim()[1]), fontsize=7, color="tab:red", va="top")
    if min(ys) > 0 and max(ys) / min(ys) > 30:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(fontsize=7)
    save(fig, path)
    return True


def draw_grad_norm(run: RunData, findings: list[Finding], path: Path) -> bool:
    xs, ys = _finite(*run.floats("grad_norm"))
    if len(xs) < 2 or max(ys) <= 0:
        return False
    fig, ax = new_figure()
    ax.plot(xs, ys, lw=1.2, label="total gradient norm (as the optimizer sees it)")
    cx, cy = _finite(*run.floats("clip_total_norm"))
    if cx:
        ax.plot(cx, cy, lw=1, alpha=0.7, label="norm before clipping")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("L2 norm")
    ax.legend(fontsize=7)
    save(fig, path)
    return True


def _heatmap(run: RunData, key: str, label: str, path: Path) -> bool:
    import numpy as np

    steps, rows = run.series(key)
    names = run.tensor_names
    if len(rows) < 2 or not names:
        return False
    width = min(len(r) for r in rows)
    data = np.array([[to_float(v) for v in r[:width]] for r in rows], dtype=float).T
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.log10(np.where(data > 0, data, np.nan))
    if not np.isfinite(logged).any():
        return False
    fig, ax = new_figure(height=max(2.5, 0.22 * width + 1))
    image = ax.imshow(logged, aspect="auto", interpolation="nearest", cmap="viridis",
                      extent=(steps[0] - 0.5, steps[-1] + 0.5, width - 0.5, -0.5))
    ax.set_yticks(range(width))
    ax.set_yticklabels(names[:width], fontsize=6)
    ax.set_xlabel("step")
    fig.colorbar(image, ax=ax, label=f"log10 {label}")
    save(fig, path)
    return True


def draw_grad_heatmap(run: RunData, findings: list[Finding], path: Path) -> bool:
    return _heatmap(run, "grad_norms", "gradient norm", path)


def draw_update_ratio(run: RunData, findings: list[Finding], path: Path) -> bool:
    return _heatmap(run, "update_ratio", "update / weight", path)


def draw_activation_std(run: RunData, findings: list[Finding], path: Path) -> bool:
    records = run.records("activations")
    if not records:
        return False
    fig, ax = new_figure()
    for record in records[:1] + records[-1:] if len(records) > 1 else records:
        rows = record["modules"]
        stds = [to_float(r["std"]) for r in rows]
        ax.plot(range(len(rows)), stds, "o-", ms=3, label=f"step {record['step']}")
    ax.set_xticks(range(len(records[0]["modules"])))
    ax.set_xticklabels([r["module"] for r in records[0]["modules"]], rotation=60, ha="right", fontsize=6)
    ax.set_yscale("log")
    ax.set_ylabel("output std")
    ax.legend(fontsize=7)
    save(fig, path)
    return True


@hookimpl
def traindebug_figures() -> list[Figure]:
    return [
        Figure("loss", "Training loss (and evaluation loss) per step; red lines mark where findings begin.", ("loss",), draw_loss),
        Figure("grad_norm", "Total gradient norm per step (log scale).", ("grad_norm",), draw_grad_norm),
        Figure("grad_heatmap", "Gradient norm per parameter tensor and step (log10; rows in parameter order, input side on top).", ("grad_norms",), draw_grad_heatmap),
        Figure("update_ratio", "Update-to-weight ratio per parameter tensor and step (log10; about -3 is typical).", ("update_ratio",), draw_update_ratio),
        Figure("activation_std", "Output standard deviation of each layer at the first and last recorded step.", ("activations",), draw_activation_std),
    ]

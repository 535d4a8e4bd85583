"""Figures of the step-0 checks: the eps sweep of the gradient check, the batch dependency matrix."""

from __future__ import annotations

import math
from pathlib import Path

from traindebug.findings import Finding
from traindebug.logbook.figures import Figure
from traindebug.logbook.style import new_figure, save
from traindebug.plugins import hookimpl
from traindebug.store import RunData, to_float

MAX_CURVES = 12


def draw_gradcheck_sweep(run: RunData, findings: list[Finding], path: Path) -> bool:
    record = run.last("gradcheck") or {}
    checks = record.get("tensors", []) + record.get("modules", [])
    if not checks:
        return False
    wrong = [c for c in checks if c["verdict"] == "wrong"]
    shown = wrong + [c for c in checks if c["verdict"] != "wrong"][: max(MAX_CURVES - len(wrong), 0)]
    fig, ax = new_figure(height=3.6)
    floor = 1e-17
    for c in shown:
        errors = [max(to_float(e), floor) if math.isfinite(to_float(e)) else math.nan for e in c["errors"]]
        label = f"{c['module'] or '<model>'}" + (f".{c['tensor']}" if c["scope"] == "tensor" else " (module)")
        style = {"lw": 2.0, "color": "tab:red"} if c["verdict"] == "wrong" else {"lw": 0.9, "alpha": 0.7}
        ax.plot(c["eps"], errors, "o-", ms=2.5, label=label, **style)
        ax.plot([c["best_eps"]], [max(to_float(c["rel_error"]), floor)], "k*", ms=6)
    ax.axhline(record["rtol"], color="grey", ls="--", lw=1, label=f"tolerance {record['rtol']:g} ({record['dtype']})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("eps (step per parameter entry)")
    ax.set_ylabel("relative error |autograd - FD| / |.|")
    ax.legend(fontsize=6, ncol=2)
    save(fig, path)
    return True


def draw_batch_dependency(run: RunData, findings: list[Finding], path: Path) -> bool:
    import numpy as np

    record = run.last("batch_mixing") or {}
    matrix = record.get("matrix")
    if not matrix:
        return False
    data = np.array([[to_float(v) for v in row] for row in matrix], dtype=float)
    with np.errstate(divide="ignore"):
        logged = np.log10(np.where(data > 0, data, np.nan))
    fig, ax = new_figure(height=max(2.2, 0.3 * len(matrix) + 1.2))
    image = ax.imshow(logged, aspect="auto", interpolation="nearest", cmap="magma", vmin=-8, vmax=max(1.0, float(np.nanmax(logged)) if np.isfinite(logged).any() else 1.0))
    ax.set_yticks(range(len(record["rows"])))
    ax.set_yticklabels([str(i) for i in record["rows"]], fontsize=7)
    ax.set_xlabel("input sample j")
    ax.set_ylabel("output sample i")
    fig.colorbar(image, ax=ax, label="log10 |d out_i/d x_j| / |d out_i/d x_i| (blank: 0)")
    save(fig, path)
    return True


@hookimpl
def traindebug_figures() -> list[Figure]:
    return [
        Figure(
            "gradcheck_sweep",
            "Finite-difference gradient check at step 0: relative error of central differences vs autograd over eps "
            "(log-log). A correct gradient gives a V (truncation error on the right, round-off on the left); a wrong "
            "one (red) stays on a floor above the tolerance (dashed). Stars: best eps.",
            ("gradcheck",),
            draw_gradcheck_sweep,
        ),
        Figure(
            "batch_dependency",
            "Batch-mixing check at step 0: how much output sample i (rows) depends on input sample j (columns), "
            "relative to its own input. Only the diagonal should be filled.",
            ("batch_mixing",),
            draw_batch_dependency,
        ),
    ]

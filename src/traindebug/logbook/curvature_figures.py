"""The sharpness figure: lambda_max over steps against the stability limit bound / lr."""

from __future__ import annotations

from pathlib import Path

from traindebug.findings import Finding
from traindebug.logbook.figures import Figure
from traindebug.logbook.style import new_figure, save
from traindebug.plugins import hookimpl
from traindebug.rules.stability import FIGURE, estimates
from traindebug.store import RunData


def draw_sharpness(run: RunData, findings: list[Finding], path: Path) -> bool:
    """lambda_max (or the preconditioned one) and bound / lr per curvature estimate."""
    found = estimates(run)
    if not found:
        return False
    bound = found[0].bound
    steps = [e.step for e in found]
    label = "preconditioned sharpness λmax(P⁻¹H)" if bound.preconditioned else "sharpness λmax (mini-batch)"
    fig, ax = new_figure()
    ax.plot(steps, [e.sharpness for e in found], "o-", ms=3, lw=1.2, label=label)
    ax.plot(steps, [e.bound.value / e.lr for e in found], "--", lw=1.2, color="tab:red",
            label=f"stability limit {bound.formula.split(' ')[0]} / lr")
    values = [e.sharpness for e in found] + [e.bound.value / e.lr for e in found]
    if min(values) > 0:
        ax.set_yscale("log")
    if max(steps) >= 20:  # estimates are log-spaced in steps
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(left=0)
    ax.set_xlabel("step")
    ax.set_ylabel("curvature")
    ax.legend(fontsize=7)
    save(fig, path)
    return True


@hookimpl
def traindebug_figures() -> list[Figure]:
    return [
        Figure(
            FIGURE,
            "Sharpness of the mini-batch loss (top Hessian eigenvalue, Lanczos) per curvature estimate, and the "
            "stability limit of the optimizer divided by the learning rate: above the dashed line a step overshoots "
            "along the sharpest direction (Cohen et al. 2021).",
            ("curvature",),
            draw_sharpness,
        )
    ]

"""Write logbook.md: run summary, figures, then one entry per finding."""

from __future__ import annotations

from pathlib import Path

import pluggy

from traindebug.engine import Verdict
from traindebug.findings import Finding
from traindebug.logbook.figures import Figure
from traindebug.plugins import collect_figures

STATUS_WORDS = {
    "completed": "the script ran to its end",
    "max_steps": "stopped by traindebug after --max-steps",
    "crashed": "the script raised an exception",
    "interrupted": "interrupted (Ctrl-C or a signal)",
}


def draw_figures(run_dir: Path, verdict: Verdict, figures: list[Figure]) -> dict[str, Figure]:
    """Draw every figure the run has data for; returns the drawn ones by name."""
    folder = run_dir / "figures"
    folder.mkdir(exist_ok=True)
    drawn: dict[str, Figure] = {}
    for fig in figures:
        if any(not verdict.run.has(k) for k in fig.needs):
            continue
        try:
            if fig.draw(verdict.run, verdict.findings, folder / f"{fig.name}.png"):
                drawn[fig.name] = fig
        except Exception as exc:  # noqa: BLE001 - a figure must never cost the logbook
            verdict.rule_errors.append({"figure": fig.name, "error": f"{type(exc).__name__}: {exc}"})
    return drawn


def write_logbook(run_dir: Path, verdict: Verdict, pm: pluggy.PluginManager) -> Path:
    """Write logbook.md (and its figures) and return its path."""
    drawn = draw_figures(run_dir, verdict, collect_figures(pm))
    text = render(verdict, drawn)
    path = run_dir / "logbook.md"
    path.write_text(text, encoding="utf-8")
    return path


def _image(fig: Figure) -> str:
    return f"![{fig.caption}](figures/{fig.name}.png)\n\n*{fig.caption}*\n"


def render(verdict: Verdict, drawn: dict[str, Figure]) -> str:
    """The logbook as Markdown text."""
    doc = verdict.to_json()
    end = verdict.run.end
    serious = [f for f in verdict.findings if f.severity != "info"]
    lines = [f"# traindebug logbook: {doc['script']}", ""]
    lines += ["## Verdict", ""]
    if serious:
        lines.append(f"traindebug found {len(serious)} problem(s); the most likely root cause comes first.")
        lines.append("")
        lines += [f"{i}. **{f.title}** ({f.category}, {f.severity})" for i, f in enumerate(serious[:3], 1)]
    else:
        lines.append("No warning or error: nothing in the measured signals points to a bug in this run.")
    lines += ["", "## Run", "", "| | |", "|---|---|"]
    overhead = doc.get("overhead_s")
    wall = doc.get("wall_time_s")
    share = f" ({100 * overhead / wall:.0f} % of the wall time)" if overhead is not None and wall else ""
    rows = [
        ("script", f"`{doc['script']}`"),
        ("arguments", f"`{' '.join(doc['argv'])}`" if doc["argv"] else "(none)"),
        ("status", f"{doc['status']}: {STATUS_WORDS.get(doc['status'], '')}"),
        ("optimizer steps", str(doc["steps"])),
        ("backward passes", str(end.get("backward_passes", "?"))),
        ("device", str(doc["device"])),
        ("models", ", ".join(end.get("models", [])) or "(functional)"),
        ("optimizers", ", ".join(end.get("optimizers", [])) or "(none: manual updates)"),
        ("wall time", f"{wall} s"),
        ("traindebug's own time", f"{overhead} s{share}"),
        ("probe preset", str(verdict.run.meta.get("preset", "cheap"))),
    ]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines.append("")
    overview = [name for name in ("loss", "grad_norm") if name in drawn]
    if overview:
        lines += ["## Training curves", ""]
        for name in overview:
            lines.append(_image(drawn[name]))
    lines += ["## Findings", ""]
    if not verdict.findings:
        lines += ["None.", ""]
    for f in verdict.findings:
        lines += _entry(f, drawn)
    lines += _other_figures(drawn, verdict.findings, overview)
    lines += _not_checked(verdict)
    return "\n".join(lines) + "\n"


def _entry(f: Finding, drawn: dict[str, Figure]) -> list[str]:
    head = f"### {f.id}. {f.title}"
    meta = f"*{f.severity}* · `{f.category}` · rule `{f.rule}` · confidence {f.confidence:.2f}"
    if f.step is not None:
        meta += f" · from step {f.step}"
    if f.where:
        meta += f" · at `{f.where}`"
    out = [head, "", meta, ""]
    if f.explained_by:
        out += [f"> Probably a consequence of {f.explained_by}; fix that first.", ""]
    if f.explains:
        out += [f"> Likely explains: {', '.join(f.explains)}.", ""]
    out += [f"**Observation.** {f.observation}", "", f"**Hypothesis.** {f.hypothesis}", ""]
    out += [f"**Suggested check.** {f.suggestion}", ""]
    if f.caveat:
        out += [f"**What this does not show.** {f.caveat}", ""]
    if f.evidence:
        items = ", ".join(f"{k} = {_short(v)}" for k, v in f.evidence.items())
        out += [f"**Evidence.** {items}", ""]
    for name in f.figures:
        if name in drawn:
            out.append(_image(drawn[name]))
    return out


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) < 200 else text[:197] + "..."


def _other_figures(drawn: dict[str, Figure], findings: list[Finding], shown: list[str]) -> list[str]:
    used = set(shown) | {n for f in findings for n in f.figures}
    rest = [fig for name, fig in drawn.items() if name not in used]
    if not rest:
        return []
    return ["## Other measurements", ""] + [_image(fig) for fig in rest]


def _not_checked(verdict: Verdict) -> list[str]:
    if not verdict.skipped and not verdict.rule_errors:
        return []
    out = ["## What could not be checked", ""]
    out += [f"- rule `{s['rule']}`: no data for {', '.join(s['missing'])}" for s in verdict.skipped]
    out += [f"- {e.get('rule') or e.get('figure')}: failed ({e['error']})" for e in verdict.rule_errors]
    return out + [""]

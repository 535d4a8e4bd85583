"""Write logbook.md: verdict and run facts, curves, one entry per finding, appendix.

The logbook follows the practice of an optimization logbook: for each finding
an **Observation** (what was measured, with numbers and a figure), a
**Hypothesis** (the likely cause) and a **Suggested check** (what to try), plus
what the data cannot show. The same text is the source of ``logbook.pdf``
(``logbook/pdf.py``); ``PAGE_BREAK`` comments, invisible in Markdown viewers,
start a new page there.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pluggy

from traindebug.engine import Verdict
from traindebug.findings import Finding
from traindebug.logbook.figures import Figure
from traindebug.logbook.style import figure_style
from traindebug.plugins import collect_figures, collect_rules
from traindebug.store import RunData, to_float

#: an HTML comment that the PDF renderer turns into a page break
PAGE_BREAK = "<!-- pagebreak -->"

STATUS_WORDS = {
    "completed": "the script ran to its end",
    "max_steps": "stopped by traindebug after --max-steps",
    "crashed": "the script raised an exception",
    "interrupted": "interrupted (Ctrl-C or a signal)",
    "killed": "the record ends without an end line: the process was killed (kill -9, out of memory) "
    "or is still running",
}

#: figures shown in "Training curves", before the findings
OVERVIEW = ("loss", "grad_norm")


def draw_figures(run_dir: Path, verdict: Verdict, figures: list[Figure]) -> dict[str, Figure]:
    """Draw every figure the run has data for, in the logbook style; returns the drawn ones by name."""
    folder = run_dir / "figures"
    folder.mkdir(exist_ok=True)
    drawn: dict[str, Figure] = {}
    for fig in figures:
        if any(not verdict.run.has(k) for k in fig.needs):
            continue
        try:
            with figure_style():
                if fig.draw(verdict.run, verdict.findings, folder / f"{fig.name}.png"):
                    drawn[fig.name] = fig
        except Exception as exc:  # noqa: BLE001 - a figure must never cost the logbook
            verdict.rule_errors.append({"figure": fig.name, "error": f"{type(exc).__name__}: {exc}"})
    return drawn


def write_logbook(run_dir: Path, verdict: Verdict, pm: pluggy.PluginManager) -> Path:
    """Write logbook.md (and its figures) and return its path."""
    drawn = draw_figures(run_dir, verdict, collect_figures(pm))
    checks = len(collect_rules(pm)) - len(verdict.skipped) - len([e for e in verdict.rule_errors if "rule" in e])
    path = run_dir / "logbook.md"
    path.write_text(render(verdict, drawn, checks=checks), encoding="utf-8")
    return path


class _FigureNumbers:
    """Numbers figures in order of first appearance; a later mention refers back by number."""

    def __init__(self, drawn: dict[str, Figure]) -> None:
        self.drawn = drawn
        self.numbers: dict[str, int] = {}

    def embed(self, name: str) -> list[str]:
        """The figure with its numbered caption, or a reference if it was shown already."""
        if name not in self.drawn:
            return []
        if name in self.numbers:
            return [f"*See Figure {self.numbers[name]}.*", ""]
        self.numbers[name] = len(self.numbers) + 1
        fig = self.drawn[name]
        return [f"![Figure {self.numbers[name]}](figures/{fig.name}.png)", "",
                f"*Figure {self.numbers[name]}. {fig.caption}*", ""]


def render(verdict: Verdict, drawn: dict[str, Figure], checks: int | None = None) -> str:
    """The logbook as Markdown text."""
    doc = verdict.to_json()
    figures = _FigureNumbers(drawn)
    lines = [f"# traindebug logbook: {Path(doc['script']).name if doc['script'] else 'unnamed run'}", ""]
    lines += _verdict(verdict, checks)
    lines += _run_facts(verdict.run, doc, checks, verdict)
    lines += _limits(verdict.run, doc, verdict)
    overview = [name for name in OVERVIEW if name in drawn]
    if overview:
        lines += [PAGE_BREAK, "", "## Training curves", ""]
        for name in overview:
            lines += figures.embed(name)
    lines += [PAGE_BREAK, "", "## Findings", ""]
    if verdict.findings:
        lines += ["Most likely root cause first. Each entry gives the **Observation** (what was measured), the "
                  "**Hypothesis** (its likely cause) and a **Suggested check**; the check's result is what "
                  "confirms or refutes the hypothesis.", ""]
    else:
        lines += ["No findings: no rule reported anything for this run.", ""]
    for f in verdict.findings:
        lines += _entry(f, figures)
    rest = [name for name in drawn if name not in figures.numbers]
    if rest:
        lines += [PAGE_BREAK, "", "## Other measurements", ""]
        for name in rest:
            lines += figures.embed(name)
    lines += _not_checked(verdict)
    lines += [PAGE_BREAK, ""] + _appendix(verdict.run)
    return "\n".join(lines).rstrip() + "\n"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _verdict(verdict: Verdict, checks: int | None) -> list[str]:
    serious = [f for f in verdict.findings if f.severity != "info"]
    roots = [f for f in serious if not f.explained_by]
    notes = len(verdict.findings) - len(serious)
    note_line = [f"Besides, {_count(notes, 'informational note')} {'is' if notes == 1 else 'are'} listed under "
                 "Findings.", ""] if notes else []
    out = ["## Verdict", ""]
    if not serious and not verdict.run.steps:
        return out + ["**Nothing to judge.** `metrics.jsonl` holds no training step, so no check had data. "
                      "The script may have stopped before its first backward pass.", ""] + note_line
    if not serious:
        ran = f"none of the {checks} checks that ran" if checks is not None else "no check"
        out += [f"**No problems found.** In this run {ran} reported a warning or an error.", ""]
        out += note_line
        out += ["This does not prove that the training is right: see *What these data cannot show* below.", ""]
        return out
    errors = sum(f.severity == "error" for f in serious)
    warnings = len(serious) - errors
    parts = [_count(errors, "error")] * bool(errors) + [_count(warnings, "warning")] * bool(warnings)
    head = f"**traindebug found {_count(len(serious), 'problem')}** ({' and '.join(parts)})"
    symptoms = len(serious) - len(roots)
    if symptoms:
        head += f"; {symptoms} of them {'is' if symptoms == 1 else 'are'} probably a symptom of another"
    out += [head + ". Most likely root cause first:", ""]
    for f in roots[:3]:
        step = f", from step {f.step}" if f.step is not None else ""
        also = f" *Also explains {', '.join(f.explains)}.*" if f.explains else ""
        out.append(f"1. **{f.id}. {_prose(_sentence(f.title))}** ({f.severity}{step}).  ")
        out.append(f"   *Next step:* {_prose(_sentence(f.suggestion))}{also}")
    if len(roots) > 3:
        out.append(f"1. ... and {_count(len(roots) - 3, 'more independent problem')}: see Findings.")
    out.append("")
    if len(verdict.findings) > 1:
        out += ["All findings, as ranked:", ""] + _table(
            ("", "severity", "category", "step", "finding"),
            [(f.id, f.severity, f.category, "" if f.step is None else f.step,
              _prose(_sentence(f.title)) + (f" (symptom of {f.explained_by})" if f.explained_by else ""))
             for f in verdict.findings],
        )
    return out + note_line


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out + [""]


def _optimizers(run: RunData) -> str:
    record = run.last("optimizers")
    if record:
        parts = []
        for opt in record.get("optimizers", []):
            rates = sorted({g.get("lr") for g in opt.get("groups", []) if g.get("lr") is not None})
            lr = f" (lr {', '.join(f'{r:.3g}' for r in rates)})" if rates else ""
            parts.append(f"{opt.get('type', '?')}{lr}")
        if parts:
            return ", ".join(parts)
    names = run.end.get("optimizers")
    if names is not None:
        return ", ".join(names) or "(none: manual updates)"
    return "unknown"


def _loss_function(run: RunData) -> str | None:
    record = run.last("loss_fn")
    if not record:
        return None
    text = str(record.get("name", "?"))
    initial, chance = to_float(record.get("initial_loss")), record.get("chance_loss")
    if chance and math.isfinite(initial):
        text += f", initial loss {initial:.4g} (chance level ln {record.get('classes')} = {chance:.4g})"
    return text


def _run_facts(run: RunData, doc: dict[str, Any], checks: int | None, verdict: Verdict) -> list[str]:
    end = run.end
    wall, overhead = doc.get("wall_time_s"), doc.get("overhead_s")
    if wall is not None and overhead is not None and wall:
        own = f"{overhead} s ({100 * overhead / wall:.0f} % of the wall time)"
    else:
        own = "unknown (no end record)" if not end else str(overhead)
    backward = end.get("backward_passes", sum(s.get("backward_passes", 0) for s in run.steps))
    rows: list[tuple[str, Any]] = [
        ("script", doc["script"] or "(unknown)"),
        ("arguments", " ".join(doc["argv"]) if doc["argv"] else "(none)"),
        ("started", run.meta.get("started", "unknown").replace("T", " ")),
        ("status", f"{_status(doc)} ({STATUS_WORDS.get(_status(doc), 'unknown status')})"),
        ("optimizer steps recorded", doc["steps"]),
        ("backward passes", backward),
        ("device", end.get("device", "unknown (no end record)")),
        ("models", ", ".join(end["models"]) or "(functional)" if "models" in end else "unknown (no end record)"),
        ("optimizers", _optimizers(run)),
    ]
    loss = _loss_function(run)
    if loss:
        rows.append(("loss function", loss))
    rows += [
        ("wall time", f"{wall} s" if wall is not None else "unknown (no end record)"),
        ("traindebug's own time", own),
        ("probe preset", run.meta.get("preset", "cheap")),
        ("versions", f"traindebug {doc['traindebug_version'] or '?'}, torch {run.meta.get('torch', '?')}, "
                     f"Python {run.meta.get('python', '?')}"),
    ]
    if checks is not None:
        rows.append(("checks", f"{checks} ran, {len(verdict.skipped)} lacked data, "
                               f"{len([e for e in verdict.rule_errors if 'rule' in e])} failed"))
    return ["## Run", ""] + _table(("", ""), rows)


def _limits(run: RunData, doc: dict[str, Any], verdict: Verdict) -> list[str]:
    """What the recorded data cannot tell, stated for this run."""
    last = run.steps[-1]["step"] if run.steps else None
    status = _status(doc)
    out = ["## What these data cannot show", ""]
    if status == "max_steps":
        out.append(f"- The run was stopped after {doc['steps']} optimizer steps (`--max-steps`): problems that "
                   "appear later in training (late divergence, plateaus, overfitting) are not observed.")
    elif status == "killed":
        out.append(f"- The record ends abruptly after step {last}: the last steps and the probes' end-of-run "
                   "summaries are missing, and the cause of the end is unknown.")
    elif status in ("crashed", "interrupted"):
        out.append(f"- The run ended early ({status}) after step {last}; nothing after that point was observed.")
    if not run.has("eval_loss"):
        out.append("- No evaluation loss was seen (no loss computed under `torch.no_grad()`), so nothing here "
                   "speaks to generalisation or overfitting.")
    out.append("- This is one run with one seed. A difference smaller than the step-to-step noise of the loss "
               "cannot be told apart from chance: compare settings over several seeds before calling one better.")
    out.append("- Each hypothesis is the most likely explanation of the measured signals, not a proof; it is "
               "confirmed only when the suggested check changes the outcome.")
    if run.has("activations"):
        steps = [r["step"] for r in run.records("activations")]
        out.append(f"- Activation statistics come from {len(steps)} recorded step(s) (steps {_ranges(steps)}), "
                   "one batch each.")
    if run.meta.get("preset", "cheap") == "cheap":
        out.append("- Probe preset `cheap`: expensive measurements (for example curvature or per-sample "
                   "statistics) ran rarely or not at all; `--probes full` measures more.")
    if verdict.skipped:
        out.append(f"- {len(verdict.skipped)} check(s) could not run for lack of data (listed at the end).")
    return out + [""]


def _ranges(steps: list[int]) -> str:
    if len(steps) <= 6:
        return ", ".join(str(s) for s in steps)
    return f"{steps[0]}, {steps[1]}, ..., {steps[-1]}"


def _entry(f: Finding, figures: _FigureNumbers) -> list[str]:
    meta = f"**{f.severity}** · category `{f.category}` · rule `{f.rule}` · confidence {f.confidence:.2f}"
    if f.step is not None:
        meta += f" · from step {f.step}"
    if f.where:
        meta += f" · at `{f.where}`"
    out = [f"### {f.id}. {_prose(_sentence(f.title))}", "", meta, ""]
    if f.explained_by:
        out += [f"> Probably a consequence of {f.explained_by}; fix that first.", ""]
    if f.explains:
        out += [f"> Likely explains: {', '.join(f.explains)}.", ""]
    out += _paragraph("Observation", f.observation) + _paragraph("Hypothesis", f.hypothesis)
    out += _paragraph("Suggested check", f.suggestion)
    if f.caveat:
        out += _paragraph("What this does not show", f.caveat)
    if f.evidence:
        out += ["**Evidence.**", ""] + _table(("measure", "value"), [(k, _short(v)) for k, v in f.evidence.items()])
    for name in f.figures:
        out += figures.embed(name)
    return out


def _prose(text: str) -> str:
    """Text from a finding, safe in Markdown: '<module>' must not read as an HTML tag."""
    return text.replace("<", "\\<")


def _paragraph(label: str, text: str) -> list[str]:
    """A labelled paragraph; indented lines of the text (tracebacks, listings) become a code block."""
    lines = text.strip().splitlines() or [""]
    cut = next((i for i, line in enumerate(lines) if i and line[:1] in (" ", "\t")), len(lines))
    out = [f"**{label}.** " + "  \n".join(_prose(line) for line in lines[:cut]), ""]
    if cut < len(lines):
        out += ["```"] + [line.strip() for line in lines[cut:]] + ["```", ""]
    return out


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    if len(text) < 120:
        return _prose(text)
    if isinstance(value, (list, tuple, dict)):
        return f"({_count(len(value), 'item')}: see findings.json)"
    return _prose(text[:117]) + "..."


def _not_checked(verdict: Verdict) -> list[str]:
    probe_errors = verdict.run.records("probe_error")
    if not verdict.skipped and not verdict.rule_errors and not probe_errors:
        return []
    out = ["## What could not be checked", ""]
    out += [f"- rule `{s['rule']}`: no data for {', '.join(s['missing'])}" for s in verdict.skipped]
    out += [f"- {'rule' if 'rule' in e else 'figure'} `{e.get('rule') or e.get('figure')}` failed: {e['error']}"
            for e in verdict.rule_errors]
    seen: set[str] = set()
    for e in probe_errors:
        if e.get("probe") not in seen:
            seen.add(e.get("probe"))
            out.append(f"- probe `{e.get('probe')}` failed at step {e.get('step')}: {e.get('error')}")
    return out + [""]


def _appendix(run: RunData) -> list[str]:
    """Every metric recorded: per-step keys with min/max/last for scalars, then other record kinds."""
    out = ["## Appendix: metrics recorded", ""]
    out += ["Per-step values in `metrics.jsonl` (min, max and last over finite values; per-tensor lists "
            "are in the order of the parameter tensors).", ""]
    keys: dict[str, list[tuple[int, Any]]] = {}
    for s in run.steps:
        for k, v in s.items():
            if k not in ("kind", "step"):
                keys.setdefault(k, []).append((s["step"], v))
    rows = [_metric_row(name, values) for name, values in keys.items()]
    out += _table(("metric", "type", "records", "steps", "min", "max", "last"), rows) if rows else ["(none)", ""]
    counts: dict[str, list[dict[str, Any]]] = {}
    for record in run:
        if record.get("kind") not in ("step",):
            counts.setdefault(record.get("kind", "?"), []).append(record)
    if counts:
        out += ["Other records:", ""]
        rows = []
        for kind, records in counts.items():
            steps = [r["step"] for r in records if isinstance(r.get("step"), int)]
            rows.append((f"`{kind}`", len(records), _ranges(sorted(set(steps))) if steps else "-"))
        out += _table(("record kind", "records", "steps"), rows)
    return out


def _metric_row(name: str, values: list[tuple[int, Any]]) -> tuple[Any, ...]:
    steps = [s for s, _ in values]
    span = f"{steps[0]}–{steps[-1]}" if len(steps) > 1 else str(steps[0])
    sample = values[-1][1]
    if isinstance(sample, list):
        return (f"`{name}`", f"list of {len(sample)}", len(values), span, "", "", "")
    try:
        numbers = [to_float(v) for _, v in values]
    except (TypeError, ValueError):
        return (f"`{name}`", type(sample).__name__, len(values), span, "", "", "")
    finite = [v for v in numbers if math.isfinite(v)]
    kind = "scalar" + (f" ({len(numbers) - len(finite)} NaN/Inf)" if len(finite) < len(numbers) else "")
    if not finite:
        return (f"`{name}`", kind, len(values), span, "", "", _short(numbers[-1]))
    return (f"`{name}`", kind, len(values), span, f"{min(finite):.4g}", f"{max(finite):.4g}", f"{numbers[-1]:.4g}")


def _status(doc: dict) -> str:
    """The run's status, with "killed" for a store that has no end record."""
    return "killed" if doc.get("killed") else doc["status"]

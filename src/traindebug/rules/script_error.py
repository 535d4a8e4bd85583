"""script_error: the training script raised an exception."""

from __future__ import annotations

from traindebug.findings import Finding
from traindebug.plugins import hookimpl
from traindebug.rules.base import Rule, rule
from traindebug.store import RunData


@rule("script.exception", "script_error")
def script_exception(run: RunData) -> list[Finding]:
    """Report the script's exception with its last frames."""
    err = run.last("script_error")
    if err is None:
        return []
    frames = err.get("frames", [])
    where = err.get("where") or (f"{frames[-1]['file']}:{frames[-1]['line']}" if frames else None)
    trace = "\n".join(f"  {f['file']}:{f['line']} in {f['function']}: {f['code']}" for f in frames)
    return [
        Finding(
            rule="script.exception",
            category="script_error",
            severity="error",
            confidence=1.0,
            step=err.get("step"),
            where=where,
            title=f"the script raised {err.get('type')} after {err.get('step')} steps",
            observation=f"{err.get('type')}: {err.get('message')}\nLast frames:\n{trace}",
            hypothesis="The exception comes from the script's own code or its data, at the frame shown last.",
            suggestion="Fix the error at the last frame; everything measured before it is kept in this logbook.",
            evidence={"type": err.get("type"), "message": err.get("message"), "frames": frames},
            caveat="Findings below were measured only on the steps before the crash.",
        )
    ]


@hookimpl
def traindebug_rules() -> list[Rule]:
    return [script_exception]

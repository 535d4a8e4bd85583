"""Run a user's script unmodified, as ``python SCRIPT ARGS`` would, under a Session."""

from __future__ import annotations

import os
import runpy
import signal
import sys
from pathlib import Path
from typing import Any

from traindebug.engine import Verdict
from traindebug.session import MaxStepsReached, Session


class ScriptProblem(Exception):
    """The script cannot be run at all (missing, not Python, syntax error)."""


def validate_script(script: Path) -> None:
    """Raise ScriptProblem with a one-line reason if ``script`` cannot run."""
    if not script.exists():
        raise ScriptProblem(f"no such script: {script}")
    if not script.is_file():
        raise ScriptProblem(f"not a file: {script}")
    try:
        source = script.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        raise ScriptProblem(f"cannot read {script} as Python source: {exc}") from None
    try:
        compile(source, str(script), "exec")
    except SyntaxError as exc:
        raise ScriptProblem(f"syntax error in {script}, line {exc.lineno}: {exc.msg}") from None


def run_script(script: Path, argv: list[str], session: Session) -> Verdict:
    """Execute ``script`` with ``argv`` inside ``session``; always returns the verdict.

    sys.argv, sys.path[0] and __name__ are set as plain ``python`` would; the
    working directory is left as it is. The script's exception, ``sys.exit``,
    Ctrl-C and SIGTERM all end in written outputs.
    """
    validate_script(script)
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [str(script), *argv]
    if sys.path:
        sys.path[0] = str(script.resolve().parent)
    else:
        sys.path.insert(0, str(script.resolve().parent))
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt) if _main_thread() else None
    status = "completed"
    session.start()
    try:
        runpy.run_path(str(script), run_name="__main__")
    except MaxStepsReached:
        status = "max_steps"
    except KeyboardInterrupt:
        status = "interrupted"
    except SystemExit as exc:
        if exc.code not in (None, 0):
            session.record_error(exc)
            status = "crashed"
    except BaseException as exc:  # noqa: BLE001 - the user's script may raise anything
        session.record_error(exc)
        status = "crashed"
    finally:
        sys.argv = saved_argv
        if saved_path0 is not None:
            sys.path[0] = saved_path0
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    return session.finish(status)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread() and os.name == "posix"

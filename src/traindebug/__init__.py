"""traindebug: a training debugger for PyTorch.

Three ways in: ``traindebug check train.py`` (command line), ``@traindebug.watch``
on a training function, and ``with traindebug.Session():`` around a loop.
"""

from __future__ import annotations

__version__ = "0.1.0"

import functools
from pathlib import Path
from typing import Any, Callable

from traindebug.findings import CATEGORIES, Finding
from traindebug.gradcheck import gradcheck
from traindebug.lr_find import lr_find
from traindebug.session import Session


def watch(
    fn: Callable[..., Any] | None = None,
    *,
    model: Any = None,
    optimizer: Any = None,
    out: str | Path | None = None,
    max_steps: int | None = None,
    probes: str = "cheap",
    pdf: bool = False,
    quiet: bool = False,
) -> Any:
    """Decorate a training function so each call is observed and diagnosed.

    The function's return value is passed through (None if ``max_steps`` ended
    it early); its exceptions propagate after the outputs are written. The last
    call's findings are in ``decorated.findings`` and its Session in
    ``decorated.session``; the logbook path is printed.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            session = Session(
                out,
                name=func.__name__,
                model=model,
                optimizer=optimizer,
                max_steps=max_steps,
                probes=probes,
                pdf=pdf,
                quiet=quiet,
                script=f"{func.__module__}.{func.__qualname__}",
            )
            wrapper.session = session  # type: ignore[attr-defined]
            result = None
            try:
                with session:
                    result = func(*args, **kwargs)
            finally:
                wrapper.findings = session.findings  # type: ignore[attr-defined]
            return result

        wrapper.findings = []  # type: ignore[attr-defined]
        return wrapper

    return decorate(fn) if fn is not None else decorate


__all__ = ["watch", "Session", "Finding", "CATEGORIES", "__version__", "gradcheck", "lr_find"]

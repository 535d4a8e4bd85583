"""The ``traindebug`` command: check, report, lr-find."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from traindebug.findings import SEVERITIES, severity_rank

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (no usage dump) on bad arguments."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"traindebug: {message} (see traindebug --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the command line (see shared/contract.md)."""
    parser = _Parser(prog="traindebug", description="Find out why a PyTorch training run does not learn.")
    from traindebug import __version__

    parser.add_argument("--version", action="version", version=f"traindebug {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="run a training script unmodified and diagnose it")
    check.add_argument("script", type=Path)
    check.add_argument("--max-steps", type=int, default=300, help="stop after N optimizer steps (default 300)")
    check.add_argument("--out", type=Path, help="output folder (default traindebug-runs/<script>-<time>)")
    check.add_argument("--fail-on", choices=(*SEVERITIES, "never"), default="warning")
    check.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                       help="hide CUDA from the script with 'cpu'; 'cuda' requires it")
    check.add_argument("--probes", choices=("cheap", "economy", "full"), default="cheap",
                       help="cost preset of the probes (default cheap)")
    check.add_argument("--schedule", action="append", default=[], metavar="PROBE=SCHEDULE",
                       help="override a probe's schedule, e.g. per_sample=every:16 (repeatable)")
    check.add_argument("--pdf", action="store_true", help="also write logbook.pdf")
    check.add_argument("--quiet", action="store_true", help="no terminal output but errors")

    report = sub.add_parser("report", help="rebuild the logbook of a run folder")
    report.add_argument("run_dir", type=Path)
    report.add_argument("--pdf", action="store_true")
    report.add_argument("--out", type=Path, help="PDF file to write (default RUN_DIR/logbook.pdf)")

    lr = sub.add_parser("lr-find", help="learning-rate range test on a training script")
    lr.add_argument("script", type=Path)
    lr.add_argument("--max-steps", type=int, default=100)
    lr.add_argument("--out", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code.

    Everything after the first ``--`` is handed to the script untouched.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    script_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, script_args = argv[:cut], argv[cut + 1 :]
    args = build_parser().parse_args(argv)
    args.script_args = script_args
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "report":
            return _report(args)
        return _lr_find(args)
    except _UsageError as exc:
        print(f"traindebug: {exc}", file=sys.stderr)
        return EXIT_USAGE


class _UsageError(Exception):
    pass


def _check(args: argparse.Namespace) -> int:
    import os

    from traindebug.runner import ScriptProblem, run_script, validate_script
    from traindebug.session import Session

    try:
        validate_script(args.script)
    except ScriptProblem as exc:
        raise _UsageError(str(exc)) from None
    if args.max_steps < 1:
        raise _UsageError("--max-steps must be at least 1")
    schedules = {}
    for item in args.schedule:
        probe, sep, spec = item.partition("=")
        if not sep:
            raise _UsageError(f"--schedule wants PROBE=SCHEDULE, got {item!r}")
        schedules[probe] = spec
    if args.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    elif args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise _UsageError("--device cuda: no CUDA device is available")
    try:
        session = Session(
            args.out,
            name=args.script.stem,
            max_steps=args.max_steps,
            probes=args.probes,
            schedules=schedules,
            quiet=args.quiet,
            pdf=args.pdf,
            script=str(args.script),
            argv=args.script_args,
        )
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    verdict = run_script(args.script, args.script_args, session)
    if verdict.run.end.get("status") == "completed" and verdict.run.end.get("backward_passes", 0) == 0:
        print(
            f"traindebug: {args.script} ran without a single backward pass, so nothing could be diagnosed: "
            f"traindebug observes loss.backward(), torch.autograd.grad and optimizer steps, not gradients taken "
            f"with torch.func transforms (grad, grad_and_value, vjp) (outputs in {session.out_dir})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return _exit_code(verdict.to_json()["findings"], args.fail_on)


def _exit_code(findings: list[dict], fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = severity_rank(fail_on)
    for f in findings:
        level = "error" if f["category"] == "script_error" else f["severity"]
        if severity_rank(level) >= threshold:
            return EXIT_FINDINGS
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from traindebug.report import rebuild

    if not (args.run_dir / "metrics.jsonl").is_file():
        raise _UsageError(f"{args.run_dir} is not a traindebug run folder (no metrics.jsonl)")
    path = rebuild(args.run_dir, pdf=args.pdf, pdf_path=args.out)
    print(f"logbook: {path}")
    return EXIT_OK


def _lr_find(args: argparse.Namespace) -> int:
    try:
        from traindebug.lr_find import lr_find_script
    except ImportError:
        raise _UsageError("lr-find is not available in this build") from None
    from traindebug.runner import ScriptProblem, validate_script

    try:
        validate_script(args.script)
    except ScriptProblem as exc:
        raise _UsageError(str(exc)) from None
    return lr_find_script(args.script, args.script_args, max_steps=args.max_steps, out=args.out)

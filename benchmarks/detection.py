"""Detection benchmark: run ``traindebug check`` on every script of a folder.

Each script declares what it should produce in a header line::

    # traindebug-expect: <category>      (a seeded bug)
    # traindebug-expect: clean           (a healthy control)

For each script the table shows the warning/error categories found (ranked),
whether the expected category was first and within the top three, whether a
clean control raised an alarm, and the seconds the check took. The last line is::

    detected D/N top3 T/N false-alarms F/M

D: seeded scripts whose first warning/error finding has the expected category;
T: seeded scripts with the expected category among the first three;
F: clean controls with any warning/error finding; N, M: seeded and clean scripts.

Usage: python benchmarks/detection.py [FOLDER] [--max-steps 300] [-j 2]
       python benchmarks/detection.py --runs DIR --reuse   (re-judge stored runs after a rule change)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

EXPECT = re.compile(r"^#\s*traindebug-expect:\s*(\S+)\s*$")
ALARM = ("warning", "error")
TOP = 3


@dataclass
class Result:
    """The outcome of checking one script."""

    script: str
    expected: str
    found: list[str] = field(default_factory=list)
    seconds: float = 0.0
    problem: str = ""

    @property
    def clean(self) -> bool:
        return self.expected == "clean"

    @property
    def first(self) -> bool:
        return bool(self.found) and self.found[0] == self.expected

    @property
    def top3(self) -> bool:
        return self.expected in self.found[:TOP]

    @property
    def false_alarm(self) -> bool:
        return self.clean and bool(self.found)


def expected_category(script: Path) -> str | None:
    """The category named in the script's ``# traindebug-expect:`` line (first 40 lines)."""
    with open(script, encoding="utf-8") as fh:
        for _, line in zip(range(40), fh):
            match = EXPECT.match(line.strip())
            if match:
                return match.group(1)
    return None


def rejudge(out: Path, script: Path, expected: str) -> Result:
    """Judge a stored run folder again with the current rules (no new run)."""
    from traindebug.engine import judge
    from traindebug.plugins import plugin_manager

    verdict = judge(out, plugin_manager())
    seconds = verdict.run.end.get("wall_time_s") or 0.0
    found = [f.category for f in verdict.findings if f.severity in ALARM]
    return Result(script.name, expected, found=found, seconds=float(seconds))


def check(script: Path, expected: str, max_steps: int, runs: Path, reuse: bool = False) -> Result:
    """Run ``traindebug check`` on one script and read its findings.json."""
    out = runs / script.stem
    if reuse and (out / "metrics.jsonl").exists():
        return rejudge(out, script, expected)
    cmd = [sys.executable, "-m", "traindebug", "check", str(script), "--max-steps", str(max_steps),
           "--out", str(out), "--quiet", "--fail-on", "never"]
    t0 = time.perf_counter()
    # one thread per run: the runs share the CPU, and tiny models are faster single-threaded
    env = {"OMP_NUM_THREADS": "1", **os.environ}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=script.parent, env=env)
    result = Result(script.name, expected, seconds=time.perf_counter() - t0)
    findings_path = out / "findings.json"
    if proc.returncode != 0 or not findings_path.exists():
        result.problem = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:120]
        return result
    findings = json.loads(findings_path.read_text(encoding="utf-8"))["findings"]
    result.found = [f["category"] for f in findings if f["severity"] in ALARM]
    return result


def table(results: list[Result]) -> str:
    """The per-script table and the summary line."""
    rows = [("script", "expected", "found (warning/error, ranked)", "top3", "false-alarm", "s")]
    for r in results:
        found = ", ".join(r.found) or ("(traindebug failed: " + r.problem + ")" if r.problem else "-")
        rows.append((r.script, r.expected, found, "" if r.clean else ("yes" if r.top3 else "NO"),
                     ("YES" if r.false_alarm else "no") if r.clean else "", f"{r.seconds:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    seeded = [r for r in results if not r.clean]
    clean = [r for r in results if r.clean]
    lines.append(
        f"detected {sum(r.first for r in seeded)}/{len(seeded)} "
        f"top3 {sum(r.top3 for r in seeded)}/{len(seeded)} "
        f"false-alarms {sum(r.false_alarm for r in clean)}/{len(clean)}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_folder = Path(__file__).resolve().parent.parent / "buggy_examples"
    parser.add_argument("folder", type=Path, nargs="?", default=None,
                        help="folder of scripts (default buggy_examples/; buggy_examples/heldout is the held-out set)")
    parser.add_argument("--folder", dest="folder_option", type=Path, help="same as the positional folder")
    parser.add_argument("--max-steps", type=int, default=300)
    parser.add_argument("-j", "--jobs", type=int, default=1, help="scripts checked in parallel")
    parser.add_argument("--runs", type=Path, help="keep the run folders here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --runs: judge runs already stored there again instead of re-running them")
    parser.add_argument("-k", "--filter", default="", help="only scripts whose name matches this regular expression")
    args = parser.parse_args(argv)
    args.folder = args.folder or args.folder_option or default_folder
    if not args.folder.is_dir():
        print(f"detection.py: no such folder: {args.folder}", file=sys.stderr)
        return 2
    scripts = []
    for path in sorted(args.folder.glob("*.py")):
        expected = expected_category(path)
        if expected is not None and re.search(args.filter, path.name):
            scripts.append((path.resolve(), expected))
    if not scripts:
        print(f"detection.py: no script with a '# traindebug-expect:' line in {args.folder}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="traindebug-detection-") as tmp:
        runs = (args.runs or Path(tmp)).resolve()
        runs.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda se: check(se[0], se[1], args.max_steps, runs, args.reuse), scripts))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

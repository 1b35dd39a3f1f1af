"""Two versions of litmus side by side on the same tests, in turns: a revision against the working tree.

    python3 bench/ab.py REV FILE... [--model lkmm] [--runs 5] [--table] [--timeout 120]

This machine's speed drifts by up to half within an hour (other tenants on its cores), so a
change measured against figures from an earlier run says little. Here every run of the old
version (REV, checked out into a temporary git worktree) is followed by one of the new (this
tree, uncommitted changes included) on the same test: the ratio of their medians is a same-minute
comparison. Each run is its own process (`python -m litmus check`), start-up included, as a user
sees it; outputs must agree (herd's block without its Time line, or the table), else the row says
so. `--table` times the verdict alone (`-f table`) instead of herd's output.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

from _common import REPO, fmt_s, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the old version: a commit, tag or branch of this repository")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--model", default="lkmm")
    parser.add_argument("--runs", type=int, default=5, help="runs of each version per test")
    parser.add_argument("--table", action="store_true", help="the verdict alone (-f table)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="litmus-ab-") as scratch:
        old = Path(scratch) / "old"
        added = subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old), args.rev], cwd=REPO)
        if added.returncode != 0:
            sys.exit(f"ab.py: cannot check out {args.rev!r} (git says why above)")
        try:
            for tree in (old, REPO):  # byte-compiled alike (PYTHONDONTWRITEBYTECODE would leave one not)
                subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "litmus")], check=True)
            for tree in (old, REPO):  # untimed: each version parses its model files into the cache once
                run(tree, args.files[0].resolve(), args)
            rows = [compare(old, path.resolve(), args) for path in args.files]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=False)
    total_old = sum(r[1] for r in rows if r[1] is not None)
    total_new = sum(r[2] for r in rows if r[2] is not None)
    rows.append(("total", total_old, total_new, _ratio(total_old, total_new), ""))
    shown = [(name, _s(a), _s(b), ratio, note) for name, a, b, ratio, note in rows]
    mode = "-f table" if args.table else "herd output"
    print(f"{args.rev} (old) against the working tree (new), {args.model}, {mode}, median of {args.runs} runs in turns")
    print(tabulate(shown, headers=["test", "old s", "new s", "new/old", "outputs"], disable_numparse=True))


def compare(old: Path, path: Path, args: argparse.Namespace) -> tuple:
    """One test: the median wall time of each version, their ratio, and whether they agree."""
    times: dict[Path, list[float]] = {old: [], REPO: []}
    outputs: dict[Path, set[str]] = {old: set(), REPO: set()}
    for _ in range(args.runs):
        for tree in (old, REPO):  # in turns: the old run and the new one a few seconds apart
            elapsed, output = run(tree, path, args)
            if elapsed is None:
                return (path.stem, None, None, "", f"a run past {args.timeout:.0f} s")
            times[tree].append(elapsed)
            outputs[tree].add(output)
    a, b = median(times[old]), median(times[REPO])
    same = outputs[old] == outputs[REPO] and len(outputs[old]) == 1
    return (path.stem, a, b, _ratio(a, b), "same" if same else "DIFFER")


def run(tree: Path, path: Path, args: argparse.Namespace) -> tuple[float | None, str]:
    """Wall time and output (Time lines dropped) of `litmus check` from `tree`'s sources."""
    command = [sys.executable, "-m", "litmus", "check", "-m", args.model, str(path)]
    if args.table:
        command[4:4] = ["-f", "table"]
    start = time.perf_counter()
    try:  # run from the tree: `-m litmus` imports the package in the working directory first
        proc = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, cwd=tree)
    except subprocess.TimeoutExpired:
        return None, ""
    elapsed = time.perf_counter() - start
    return elapsed, re.sub(r"(?m)^Time .*\n", "", proc.stdout + proc.stderr)


def _s(x: float | None) -> str:
    return "-" if x is None else fmt_s(x)


def _ratio(a: float | None, b: float | None) -> str:
    return "" if not a or b is None else f"{b / a:.2f}"


if __name__ == "__main__":
    main()

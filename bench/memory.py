"""Peak memory per worker (`python bench/memory.py [--n 8] [--paulmck]`): the pageblock series of
bench/pageblock.py at N pageblocks, and with --paulmck the paulmck-dev corpus, each through
`litmus check -j 2 --memory-limit MB -f json --no-counts` (verdicts and final states).

Prints, per set and model: rows, the largest and the median `max_rss_mb` (a worker's peak
resident memory during that check), rows over 1 GB, rows Unknown because of memory or time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def run(paths: list[str], models: str, limit: int, timeout: float) -> tuple[list[dict], float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "litmus", "check", "-j", "2", "--memory-limit", str(limit),
                           "--timeout", str(timeout), "-m", models, "-f", "json", "--no-counts", *paths],
                          capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines()], time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8, help="pageblocks in each series' test")
    ap.add_argument("-m", "--models", default="sc,tso,arm,lkmm")
    ap.add_argument("--memory-limit", type=int, default=1024, help="MB per worker")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--paulmck", action="store_true", help="also the paulmck-dev corpus")
    ap.add_argument("--tablefmt", default="github")
    args = ap.parse_args()

    from tabulate import tabulate

    from _common import corpus_dir
    from pageblock import SERIES, family_at

    sets: list[tuple[str, list[str]]] = []
    folder = Path(tempfile.mkdtemp(prefix="litmus-memory-"))
    pageblock = []
    for family, label, fixed, question, flush in SERIES:
        test = family_at(family, args.n, fixed, question, flush)
        if test is not None:
            path = folder / f"{test.name}.litmus"
            path.write_text(test.text)
            pageblock.append(str(path))
    sets.append((f"pageblock series, N={args.n} ({len(pageblock)} tests)", pageblock))
    if args.paulmck:
        sets.append(("paulmck-dev (1,000 tests)", [str(corpus_dir("paulmck-dev"))]))
    table, unknown = [], []
    for label, paths in sets:
        rows, wall = run(paths, args.models, args.memory_limit, args.timeout)
        unknown += [f"{r['test']} {r['model']}: Unknown ({r['error']})" for r in rows if r["observation"] == "Unknown"]
        for model in args.models.split(","):
            mine = [r for r in rows if r["model"] == model]
            rss = [r["max_rss_mb"] for r in mine if r["max_rss_mb"] is not None]
            errors = [r["error"] or "" for r in mine if r["observation"] == "Unknown"]
            table.append([label, model, len(mine), f"{max(rss):.0f}" if rss else "-",
                          f"{statistics.median(rss):.0f}" if rss else "-", sum(x > 1024 for x in rss),
                          sum(e.startswith("memory") for e in errors), sum(e.startswith("timeout") for e in errors),
                          f"{wall:.0f}"])  # fmt: skip
    print(tabulate(table, headers=["set", "model", "rows", "max MB", "median MB", "over 1 GB", "Unknown (memory)",
                                   "Unknown (timeout)", "wall s (set)"], tablefmt=args.tablefmt))  # fmt: skip
    print(f"\n--memory-limit {args.memory_limit} MB per worker, -j 2, --timeout {args.timeout:g} s, -f json --no-counts")
    print("\n".join(unknown))


if __name__ == "__main__":
    main()

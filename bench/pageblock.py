"""Time per pageblock test as N grows, per family and model (`python bench/pageblock.py`).

Each series runs N = 1, 2, ... until one test takes longer than --limit seconds (default 10) or N
reaches --max-n; a series stops there ("stops" column). Tests are generated in memory from the
scenarios in litmus_tests/pageblock/ with the N range widened. By default each test is checked
as for herd's output (every execution enumerated, for States and counts); --verdict-only asks
only what a verdict table needs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litmus import api  # noqa: E402
from litmus.scenario import ast  # noqa: E402
from litmus.scenario.expand import expand  # noqa: E402
from litmus.scenario.parser import parse_scenario_file  # noqa: E402
from litmus.syntax.c_parser import parse_litmus  # noqa: E402

# (family file, label, fixed parameters, question label, flush form)
SERIES = [
    ("order", "order plain", {"variant": "plain"}, "reordered", None),
    ("order", "order wmb+rmb", {"variant": "wmb_rmb"}, "reordered", None),
    ("order", "order both locked", {"variant": "both_locked"}, "reordered", None),
    ("batch", "batch flush, plain reader", {"writer": "flush", "reader": "plain"}, "torn", "atomic"),
    ("batch", "batch zone lock, locked reader", {"writer": "zone_locked", "reader": "locked"}, "torn", None),
    ("race", "race unlocked, overlap N", {"lock": "unlocked", "overlap": "N"}, "both", None),
    ("race", "race locked, overlap 1", {"lock": "locked", "overlap": 1}, "both", None),
    ("race", "race locked, overlap N", {"lock": "locked", "overlap": "N"}, "both", None),
    ("race", "race group lock, overlap N", {"lock": "group", "overlap": "N"}, "both", None),
]


def family_at(family: str, n: int, fixed: dict, question: str, flush: str | None):  # type: ignore[no-untyped-def]
    sc = parse_scenario_file(str(ROOT / "litmus_tests" / "pageblock" / f"{family}.pb"))
    params = tuple(
        dataclasses.replace(p, lo=ast.Int(n), hi=ast.Int(n), values=()) if p.name == "N" else p for p in sc.params
    )
    sc = dataclasses.replace(sc, params=params, requires=())
    for t in expand(sc):
        p = dict(t.params)
        want = {k: (n if v == "N" else v) for k, v in fixed.items()}
        if all(p.get(k) == v for k, v in want.items()) and t.question == question and t.flush == flush:
            return t
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-m", "--models", default="sc,tso,arm")
    ap.add_argument("--limit", type=float, default=10.0, help="stop a series after a test this slow (s)")
    ap.add_argument("--max-n", type=int, default=8)
    ap.add_argument("--verdict-only", action="store_true",
                    help="what a table asks (the verdict: two solver calls), not herd's States and counts")
    args = ap.parse_args()
    models = args.models.split(",")
    print("| series | model | N: seconds per test | stops |")
    print("|---|---|---|---|")
    for family, label, fixed, question, flush in SERIES:
        for model in models:
            spec = api.load_model(model)
            cells = []
            stop = f"N={args.max_n} reached"
            start_n = 2 if family in ("order", "batch") else 1
            for n in range(start_n, args.max_n + 1):
                t = family_at(family, n, fixed, question, flush)
                if t is None:
                    continue
                test = parse_litmus(t.text, t.name)
                t0 = time.perf_counter()
                r = api.run_test(test, [spec], timeout=args.limit * 6, count=not args.verdict_only, explain=False)[0]
                dt = time.perf_counter() - t0
                cells.append(f"{n}: {dt:.2f}" + ("" if r.error is None else " (timeout)"))
                if dt > args.limit or r.error is not None:
                    stop = f"after N={n} (> {args.limit:g} s)"
                    break
            print(f"| {label} | {model} | {', '.join(cells)} | {stop} |", flush=True)


if __name__ == "__main__":
    main()

"""The 1,000 tests of ../shared/corpus/paulmck-dev under one model (default sc).

    python3 bench/paulmck.py [--model sc] [--timeout 60] [--limit N] [--slowest 10] [--verdict-only] [--per-test TSV]

Prints total wall time, median and max per test, outcome counts, and the slowest tests with their
build (lowering, model, z3 problem) and solve (enumeration) times. Under an LKMM (`lkmm` or the
kernel's linux-kernel.cfg) also how many tests match their `Result:` line, judged as the kernel's
judgelitmus.sh does, and every mismatch. `--verdict-only` asks what `-f table` asks (the verdict
and flags, two solver calls) instead of herd's States and counts (every execution).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import re

from tabulate import tabulate

from _common import corpus_dir, fmt_s, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="sc")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("--limit", type=int, default=None, help="only the first N tests")
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("--tablefmt", default="simple")
    parser.add_argument("--verdict-only", action="store_true", help="no States or counts")
    parser.add_argument("--per-test", metavar="TSV",
                        help="also write every test's row here (test, wall, build, solve, outcome, final states)")
    args = parser.parse_args()
    from litmus import api
    from litmus.errors import LitmusError

    root = corpus_dir("paulmck-dev")
    files = sorted(root.rglob("*.litmus"))[: args.limit]
    start = time.perf_counter()
    spec = api.load_model(args.model)
    rows = []  # (test, time, build, solve, outcome, final states: a number, "?" when cut short, "" when not listed)
    outcomes: Counter[str] = Counter()
    mismatches = []
    cut_short = 0  # herd format: tests whose counts the timeout cut short (their verdict stands)
    for path in files:
        t0 = time.perf_counter()
        try:
            (r,) = api.run_file(str(path), [spec], timeout=args.timeout, count=not args.verdict_only, explain=False)
            outcome = r.observation or ("n/m" if r.not_meaningful else "error")
            build, solve = r.build_s, r.solve_s
            listed = "" if args.verdict_only else len(r.states) if r.states_complete else "?"
            cut_short += not args.verdict_only and r.observation not in (None, "Unknown") and not r.counted
            wrong = judge(path.read_text(), r)
            if wrong:
                mismatches.append((str(path.relative_to(root)), wrong, len(r.states) if r.counted else "", fmt_s(r.time_s or 0)))
        except LitmusError as err:
            outcome, build, solve, listed = f"bad input: {err.message[:40]}", 0.0, 0.0, ""
        wall = time.perf_counter() - t0
        outcomes[outcome if not outcome.startswith("bad input") else "bad input"] += 1
        rows.append((path.stem, wall, build, solve, outcome, listed))
    total = time.perf_counter() - start
    if args.per_test:
        with open(args.per_test, "w") as out:
            out.writelines(f"{t}\t{w:.4f}\t{b:.4f}\t{s:.4f}\t{o}\t{n}\n" for t, w, b, s, o, n in rows)

    times = [r[1] for r in rows]
    print(f"{len(files)} tests under {args.model}: total {total:.2f} s wall, "
          f"median {median(times):.3f} s, max {max(times):.3f} s, "
          f"build total {sum(r[2] for r in rows):.2f} s, solve total {sum(r[3] for r in rows):.2f} s")  # fmt: skip
    print(tabulate(sorted(outcomes.items()), headers=["outcome", "tests"], tablefmt=args.tablefmt))
    judged = sum(1 for p in files if RESULT_LINE.search(p.read_text()))
    print(f"\nResult: lines matched: {judged - len(mismatches)} of {judged}")
    if not args.verdict_only:
        print(f"counts cut short by the timeout (verdict and the states found kept): {cut_short}")
    if mismatches:
        print(tabulate(mismatches, headers=["test", "mismatch", "states", "time s"], tablefmt=args.tablefmt))
    print(f"\nslowest {args.slowest}:")
    slow = sorted(rows, key=lambda r: -r[1])[: args.slowest]
    print(tabulate([[t, fmt_s(w), fmt_s(b), fmt_s(s), o, n] for t, w, b, s, o, n in slow],
                   headers=["test", "time s", "build s", "solve s", "outcome", "states"],
                   tablefmt=args.tablefmt))  # fmt: skip


RESULT_LINE = re.compile(r"^[( ]\* Result: (\w+)( DATARACE)?", re.M)


def judge(text: str, result) -> str | None:  # type: ignore[no-untyped-def]
    """judgelitmus.sh's verdict on one result: None when it matches the test's Result: line."""
    declared = RESULT_LINE.search(text)
    if declared is None:
        return None
    want, datarace = declared.group(1), bool(declared.group(2))
    got = result.observation or "n/m"
    if want == "DEADLOCK":
        ok = got == "Never" and result.positive == 0 and result.negative == 0
    else:
        ok = got == want
    if ok and ("data-race" in result.flags) == datarace:
        return None
    flag = " +data-race" if "data-race" in result.flags else ""
    return f"expected {want}{' DATARACE' if datarace else ''}, got {got}{flag}" + (
        f" ({result.error})" if result.error else ""
    )


if __name__ == "__main__":
    main()

"""The 1,000 tests of ../shared/corpus/paulmck-dev under one model (default sc).

    python3 bench/paulmck.py [--model sc] [--timeout 60] [--limit N] [--slowest 10]

Prints total wall time, median and max per test, outcome counts, and the slowest tests with their
build (lowering, model, z3 problem) and solve (enumeration) times.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from tabulate import tabulate

from _common import corpus_dir, fmt_s, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="sc")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("--limit", type=int, default=None, help="only the first N tests")
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("--tablefmt", default="simple")
    args = parser.parse_args()
    from litmus import api
    from litmus.errors import LitmusError

    files = sorted(corpus_dir("paulmck-dev").rglob("*.litmus"))[: args.limit]
    start = time.perf_counter()
    api.load_model(args.model)
    rows = []  # (test, time, build, solve, outcome)
    outcomes: Counter[str] = Counter()
    for path in files:
        t0 = time.perf_counter()
        try:
            (r,) = api.check(path, [args.model], timeout=args.timeout)
            outcome = r.observation or ("n/m" if r.not_meaningful else "error")
            build, solve = r.build_s, r.solve_s
        except LitmusError as err:
            outcome, build, solve = f"bad input: {err.message[:40]}", 0.0, 0.0
        wall = time.perf_counter() - t0
        outcomes[outcome if not outcome.startswith("bad input") else "bad input"] += 1
        rows.append((path.stem, wall, build, solve, outcome))
    total = time.perf_counter() - start

    times = [r[1] for r in rows]
    print(f"{len(files)} tests under {args.model}: total {total:.2f} s wall, "
          f"median {median(times):.3f} s, max {max(times):.3f} s, "
          f"build total {sum(r[2] for r in rows):.2f} s, solve total {sum(r[3] for r in rows):.2f} s")  # fmt: skip
    print(tabulate(sorted(outcomes.items()), headers=["outcome", "tests"], tablefmt=args.tablefmt))
    print(f"\nslowest {args.slowest}:")
    slow = sorted(rows, key=lambda r: -r[1])[: args.slowest]
    print(tabulate([[t, fmt_s(w), fmt_s(b), fmt_s(s), o] for t, w, b, s, o in slow],
                   headers=["test", "time s", "build s", "solve s", "outcome"],
                   tablefmt=args.tablefmt))  # fmt: skip


if __name__ == "__main__":
    main()

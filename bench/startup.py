"""Wall time of `litmus check` on one small test, interpreter start-up included.

    python3 bench/startup.py [--runs 7] [--test litmus_tests/SB/SB+poonceonces.litmus] [--model sc]

Also times `litmus --version` (start-up without z3) and the same check through the API in a warm
process, to tell start-up cost from checking cost.
"""

from __future__ import annotations

import argparse
import time

from tabulate import tabulate

from _common import REPO, fmt_s, median, run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--test", default=str(REPO / "litmus_tests" / "SB" / "SB+poonceonces.litmus"))
    parser.add_argument("--model", default="sc")
    parser.add_argument("--tablefmt", default="simple")
    args = parser.parse_args()

    cases = [
        ("litmus --version", ["--version"]),
        (f"litmus check -m {args.model} (1 test)", ["check", "-m", args.model, args.test]),
        ("litmus check -m sc,tso,arm (1 test)", ["check", "-m", "sc,tso,arm", args.test]),
    ]
    rows = []
    for label, argv in cases:
        run_cli(argv)  # warm the file cache
        times = [run_cli(argv)[0] for _ in range(args.runs)]
        rows.append([label, args.runs, fmt_s(min(times)), fmt_s(median(times)), fmt_s(max(times))])

    t0 = time.perf_counter()
    import z3  # noqa: F401

    z3_s = time.perf_counter() - t0
    from litmus import api

    import_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    api.check(args.test, [args.model])
    first_s = time.perf_counter() - t1
    warm = []
    for _ in range(args.runs):
        t2 = time.perf_counter()
        api.check(args.test, [args.model])
        warm.append(time.perf_counter() - t2)
    print(tabulate(rows, headers=["command (subprocess, wall)", "runs", "min s", "median s", "max s"],
                   tablefmt=args.tablefmt))  # fmt: skip
    print()
    print(tabulate([["import z3", fmt_s(z3_s)], ["import litmus.api (incl. z3)", fmt_s(import_s)],
                    ["first api.check (parses grammar and models)", fmt_s(first_s)],
                    ["warm api.check, median", fmt_s(median(warm))]],
                   headers=["in process", "s"], tablefmt=args.tablefmt))  # fmt: skip


if __name__ == "__main__":
    main()

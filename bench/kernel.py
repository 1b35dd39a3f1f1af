"""The kernel's 47 litmus tests (../shared/corpus/lkmm-kernel/tests) under sc, tso and arm.

1. One process: `python -m litmus check -m sc,tso,arm <folder>`, wall time (start-up included).
2. In process, per test and model via the API: time, build_s (lowering, model interpretation,
   z3 problem) and solve_s (enumeration) from the Result; median and max per model, slowest tests.

    python3 bench/kernel.py [--models sc,tso,arm] [--slowest 10] [--tablefmt simple]
"""

from __future__ import annotations

import argparse
import time

from tabulate import tabulate

from _common import MODELS, corpus_dir, fmt_s, median, run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--slowest", type=int, default=10)
    parser.add_argument("--tablefmt", default="simple")
    args = parser.parse_args()
    models = args.models.split(",")
    folder = corpus_dir("lkmm-kernel", "tests")
    files = sorted(folder.glob("*.litmus"))

    wall, status = run_cli(["check", "-m", args.models, "-f", "table", str(folder)])
    print(f"one process: litmus check -m {args.models} on {len(files)} tests: "
          f"{wall:.2f} s wall (exit {status})\n")  # fmt: skip

    from litmus import api

    start = time.perf_counter()
    for m in models:
        api.load_model(m)
    load_s = time.perf_counter() - start
    rows = []  # (test, model, time, build, solve, observation)
    for path in files:
        for m in models:
            t0 = time.perf_counter()
            (r,) = api.check(path, [m])
            wall_one = time.perf_counter() - t0
            obs = r.observation or ("n/m" if r.not_meaningful else "error")
            rows.append((path.stem, m, wall_one, r.build_s, r.solve_s, obs))
    api_total = time.perf_counter() - start

    summary = []
    for m in models + ["all"]:
        sel = [r for r in rows if m == "all" or r[1] == m]
        times, builds, solves = [r[2] for r in sel], [r[3] for r in sel], [r[4] for r in sel]
        summary.append([m, len(sel), fmt_s(sum(times)), fmt_s(median(times)), fmt_s(max(times)),
                        fmt_s(sum(builds)), fmt_s(median(builds)), fmt_s(max(builds)),
                        fmt_s(sum(solves)), fmt_s(median(solves)), fmt_s(max(solves))])  # fmt: skip
    print(f"in process via the API ({len(files)} tests x {len(models)} models; "
          f"model loading {load_s:.2f} s, total {api_total:.2f} s):")  # fmt: skip
    print(tabulate(summary, headers=["model", "runs", "total s", "median s", "max s", "build total",
                                     "build med", "build max", "solve total", "solve med",
                                     "solve max"], tablefmt=args.tablefmt))  # fmt: skip
    print(f"\nslowest {args.slowest} (test, model):")
    slow = sorted(rows, key=lambda r: -r[2])[: args.slowest]
    print(tabulate([[t, m, fmt_s(w), fmt_s(b), fmt_s(s), o] for t, m, w, b, s, o in slow],
                   headers=["test", "model", "time s", "build s", "solve s", "observation"],
                   tablefmt=args.tablefmt))  # fmt: skip


if __name__ == "__main__":
    main()

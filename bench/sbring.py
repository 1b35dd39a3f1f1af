"""N-thread store-buffering ring: thread i writes x_i then reads x_{i+1 mod N}; exists all reads 0.

    python3 bench/sbring.py [--min 2] [--max 10] [--models sc,tso,arm] [--timeout 120]

Per N and model: time (build + solve), states, executions enumerated, verdict. SC forbids the
all-zero state for every N; TSO and ARM allow it.
"""

from __future__ import annotations

import argparse
import time

from tabulate import tabulate

from _common import MODELS, fmt_s


def sb_ring(n: int) -> str:
    lines = [f"C SB-ring-{n}", "", "{}", ""]
    for i in range(n):
        mine, next_ = f"x{i}", f"x{(i + 1) % n}"
        params = ", ".join(f"int *{v}" for v in sorted({mine, next_}))
        lines += [f"P{i}({params})", "{", "\tint r0;", "", f"\tWRITE_ONCE(*{mine}, 1);",
                  f"\tr0 = READ_ONCE(*{next_});", "}", ""]  # fmt: skip
    lines.append("exists (" + " /\\ ".join(f"{i}:r0=0" for i in range(n)) + ")")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=int, default=2)
    parser.add_argument("--max", type=int, default=10)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per (N, model)")
    parser.add_argument("--tablefmt", default="simple")
    args = parser.parse_args()
    from litmus import api

    models = args.models.split(",")
    for m in models:
        api.load_model(m)
    rows = []
    for n in range(args.min, args.max + 1):
        text = sb_ring(n)
        row: list[object] = [n]
        for m in models:
            t0 = time.perf_counter()
            (r,) = api.check(text, [m], timeout=args.timeout)
            wall = time.perf_counter() - t0
            row += [fmt_s(wall), fmt_s(r.build_s), len(r.states), r.positive + r.negative,
                    r.observation or r.error]  # fmt: skip
        rows.append(row)
        print(f"N={n} done", flush=True)
    headers = ["N"]
    for m in models:
        headers += [f"{m} s", f"{m} build", f"{m} states", f"{m} execs", f"{m} verdict"]
    print(tabulate(rows, headers=headers, tablefmt=args.tablefmt))


if __name__ == "__main__":
    main()

"""Model order over every C test of the corpora (`python bench/model_order.py`): the property of
tests/test_model_order.py on all of them, not a sample.

For each test, the verdict and final states under sc, tso, arm and lkmm (no execution counts);
then, per pair (a, b) of ORDER, whether a's states are among b's. Prints a table: tests run,
pairs checked, pairs left unchecked (a model Unknown or not meaningful), violations (explained
ones apart), Sometimes witnesses re-checked, the peak memory of a worker, the slowest tests.
Tests with RCU grace periods are not meaningful under the hardware models (and sc): no pair of
theirs can be checked, so --with-grace-periods alone runs them.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRACE_PERIODS = re.compile(r"\bsynchronize_(s?rcu)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", "--jobs", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per (test, model)")
    ap.add_argument("--with-grace-periods", action="store_true")
    ap.add_argument("--tablefmt", default="github")
    args = ap.parse_args()

    from tabulate import tabulate

    from tests import test_model_order as order

    order.TIMEOUT = args.timeout
    files = order.c_tests()
    skipped = [f for f in files if GRACE_PERIODS.search(f.read_text(errors="replace"))]
    if not args.with_grace_periods:
        files = [f for f in files if f not in skipped]
    start = time.perf_counter()
    checked: Counter[tuple[str, str]] = Counter()
    unchecked: Counter[tuple[str, str]] = Counter()
    violations: list[tuple[str, str, str, int]] = []
    explained: list[tuple[str, str, str, str]] = []
    rechecked = peak = 0.0
    slowest: list[tuple[float, str]] = []
    for path, results in order.run_models(files, args.jobs):
        found, _ = order.violations(results)
        violations += found
        states = {r.model: set(r.states) for r in results if r.observation in ("Never", "Sometimes", "Always")}
        for a, b in order.ORDER:
            if a in states and b in states:
                checked[(a, b)] += 1
                why = order.explained(str(path), a, b)
                if why is not None and not states[a] <= states[b]:
                    explained.append((results[0].test, a, b, why))
            else:
                unchecked[(a, b)] += 1
        rechecked += sum(1 for r in results if r.witness is not None)
        peak = max([peak] + [r.max_rss_mb or 0.0 for r in results])
        slowest.append((sum(r.time_s for r in results), str(path.relative_to(path.parents[2]))))
    wall = time.perf_counter() - start

    rows = [(f"{a} ⊆ {b}", checked[(a, b)], unchecked[(a, b)],
             sum(1 for v in violations if v[1:3] == (a, b)), sum(1 for e in explained if e[1:3] == (a, b)))
            for a, b in order.ORDER]  # fmt: skip
    rows.append(("all pairs", sum(checked.values()), sum(unchecked.values()), len(violations), len(explained)))
    print(tabulate(rows, headers=["inclusion", "tests checked", "unchecked", "violations", "explained"],
                   tablefmt=args.tablefmt))  # fmt: skip
    print(f"\n{len(files)} C tests x {len(order.MODELS)} models in {wall:.0f} s (timeout {args.timeout:g} s per pair); "
          f"{len(skipped)} with grace periods {'run' if args.with_grace_periods else 'left out'}")
    print(f"witnesses re-checked concretely: {int(rechecked)}; peak worker memory {peak:.0f} MB")
    for v in violations:
        print("violation:", *v)
    for test, a, b, why in explained:
        print(f"explained: {test} {a} ⊆ {b}: {why}")
    for seconds, name in sorted(slowest)[-5:]:
        print(f"slow: {name} {seconds:.1f} s")


if __name__ == "__main__":
    main()

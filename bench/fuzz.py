"""The fuzzers of tests/test_fuzz.py at length (`python bench/fuzz.py [--examples N]`).

Runs every fuzz test with N examples each (the same fixed seed as CI, more of them), then
every file of ../shared/corpus and litmus_tests/ under each mutation in turn (`--per-file K`
seeded mutations of each), and prints a table: inputs run per front end, and the failures (a
traceback, an unlocated or repeated error, a wrong exit status), each with its input saved
under --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=300, help="examples per fuzz test (CI: 15)")
    ap.add_argument("--per-file", type=int, default=2, help="seeded mutations of every corpus file")
    ap.add_argument("--keep", default="/tmp/litmus-fuzz-failures", help="where failing inputs are saved")
    ap.add_argument("--tablefmt", default="github")
    ap.add_argument("--memory-mb", type=int, default=6000, help="address-space limit of this process: "
                    "an input that fills memory is a MemoryError here, not a machine out of memory")
    args = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (args.memory_mb << 20, resource.RLIM_INFINITY))
    os.environ["LITMUS_FUZZ_EXAMPLES"] = str(args.examples)  # read when the test module loads

    from tabulate import tabulate

    from tests import test_fuzz as fuzz

    failures: list[tuple[str, str]] = []
    start = time.perf_counter()
    for name in sorted(n for n in dir(fuzz) if n.startswith("test_")):
        test = getattr(fuzz, name)
        calls = [{"jobs": j} for j in ("1", "2")] if "jobs" in test.__code__.co_varnames else [{}]
        if not hasattr(test, "hypothesis"):
            continue  # the regression tests: pytest runs them
        for kwargs in calls:
            try:
                test(**kwargs)
            except Exception as exc:  # noqa: BLE001 - a failure found: count it, show it, go on
                failures.append((name, "".join(traceback.format_exception_only(type(exc), exc))[-2000:]))
        print(f"{name}: {sum(fuzz.FED.values())} inputs so far, {len(failures)} failures", flush=True)
    hypothesis_s = time.perf_counter() - start

    keep = Path(args.keep)
    rng = random.Random(17)
    start = time.perf_counter()
    for done, original in enumerate(fuzz.CORPUS_FILES):
        if done % 200 == 0:
            print(f"corpus: {done}/{len(fuzz.CORPUS_FILES)} files, {len(failures)} failures", flush=True)
        data = original.read_bytes()
        for _ in range(args.per_file):
            mutated = fuzz.mutate(data, rng, rng.randint(1, 2))
            try:
                fuzz.run_mutated(original, mutated)
            except Exception as exc:  # noqa: BLE001
                keep.mkdir(parents=True, exist_ok=True)
                saved = keep / f"{len(failures)}-{original.name}"
                saved.write_bytes(mutated)
                failures.append((str(saved), "".join(traceback.format_exception_only(type(exc), exc))[-2000:]))
    corpus_s = time.perf_counter() - start

    rows = sorted(fuzz.FED.items())
    rows.append(("total", sum(fuzz.FED.values())))
    print(tabulate(rows, headers=["front end", "inputs run"], tablefmt=args.tablefmt))
    print(f"\n{len(fuzz.CORPUS_FILES)} corpus files x {args.per_file} mutations; fuzz tests {hypothesis_s:.0f} s, "
          f"corpus mutations {corpus_s:.0f} s")
    print(f"failures: {len(failures)}")
    for where, what in failures:
        print(f"\n--- {where}\n{what}")
    shutil.rmtree(fuzz.SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()

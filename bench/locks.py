"""The zone-locked pageblock families, verdict only, side by side with herd7 in the same run
(`python bench/locks.py [--herd7-timeout 180] [--max-n 8] [--models lkmm,sc,official]`).

Per family, model and N: herd7 7.58 (`../shared/tools/herd7/herd7-run lkmm`, or `sc+lock` for
sc: SC with the kernel's lock.cat), one process per test; litmus `check -m MODEL -f table` (for
`official`, the kernel's own linux-kernel.cfg from ../shared/corpus, the model herd7 runs), one
process per test (start-up included); their ratio; and, from an in-process run, how the lazy
consistency engine went: the checks deferred, executions checked on them (a run on bits, traced
for its lemmas when it violates one), lemmas learned. A series stops
asking herd7 once herd7 has timed out in it. The tests are generated from
litmus_tests/pageblock/*.pb with N widened (bench/pageblock.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import timed  # noqa: E402
from bench.pageblock import family_at  # noqa: E402
from litmus import api  # noqa: E402
from litmus.arch import lower  # noqa: E402
from litmus.engine.checker import TestChecker  # noqa: E402
from litmus.syntax.c_parser import parse_litmus  # noqa: E402

HERD7 = ROOT.parent / "shared" / "tools" / "herd7" / "herd7-run"
HERD_MODEL = {"lkmm": "lkmm", "sc": "sc+lock", "official": "lkmm"}
OFFICIAL = ROOT.parent / "shared" / "corpus" / "lkmm-kernel" / "model" / "linux-kernel.cfg"


def litmus_model(model: str) -> str:
    return str(OFFICIAL) if model == "official" else model

# (label, family, fixed parameters, question): the per-pageblock-locked families
FAMILIES = [
    ("race locked, overlap 1", "race", {"lock": "locked", "overlap": 1}, "both"),
    ("race locked, overlap 2", "race", {"lock": "locked", "overlap": 2}, "both"),
    ("race locked, full overlap", "race", {"lock": "locked", "overlap": "N"}, "both"),
    ("order both locked", "order", {"variant": "both_locked"}, "reordered"),
]


def herd_observation(stdout: str) -> str | None:
    """herd7's Observation word, None when it printed none (its own timeout)."""
    for line in stdout.splitlines():
        if line.startswith("Observation "):
            return line.split()[2]
    return None


def table_verdict(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.strip()]
    return lines[-1].split()[-1] if lines else "?"


def lazy_stats(path: Path, model: str) -> str:
    """Deferred checks, executions checked on them and lemmas of one in-process verdict run."""
    test = parse_litmus(path.read_text(), str(path))
    spec = api.load_model(litmus_model(model))
    checker = TestChecker(test, spec, lower(test, spec.target, spec.macros, registers=spec.catdep))
    checker.run(None, count=False)
    deferred = [c.name for c in checker.interp.checks if c.lazy]
    if not deferred:
        return "eager"
    lazy = checker.lazy
    rounds, lemmas = (lazy.rounds, lazy.lemmas) if lazy is not None else ("-", "-")
    return f"{len(deferred)} deferred, {rounds} checked, {lemmas} lemmas"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="lkmm,sc")
    ap.add_argument("--min-n", type=int, default=1)
    ap.add_argument("--max-n", type=int, default=8)
    ap.add_argument("--herd7-timeout", type=float, default=180.0)
    ap.add_argument("--timeout", type=float, default=300.0, help="litmus's limit per test")
    ap.add_argument("--no-herd7", action="store_true")
    ap.add_argument("--only", default="", help="families whose label contains this")
    ap.add_argument("--tablefmt", default="github")
    args = ap.parse_args()
    use_herd = HERD7.exists() and not args.no_herd7
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, family, fixed, question in FAMILIES:
            if args.only not in label:
                continue
            for model in args.models.split(","):
                herd_gave_up = False
                for n in range(max(args.min_n, 2 if family == "order" else 1), args.max_n + 1):
                    t = family_at(family, n, fixed, question, None)
                    if t is None:
                        continue
                    path = Path(tmp) / f"{t.name}.litmus"
                    path.write_text(t.text)
                    herd_s, herd_obs, herd_cell = None, None, "-"
                    if use_herd and herd_gave_up:
                        herd_cell = f"(> {args.herd7_timeout:g})"  # it timed out at a smaller N
                    elif use_herd:
                        herd_s, out = timed([str(HERD7), HERD_MODEL[model], str(path)], args.herd7_timeout)
                        herd_obs = herd_observation(out)
                        if herd_obs is None:
                            herd_s, herd_gave_up = None, True
                        herd_cell = f"{herd_s:.2f}" if herd_s is not None else f"> {args.herd7_timeout:g}"
                    ours, out = timed([sys.executable, "-m", "litmus", "check", "-m", litmus_model(model),
                                       "-f", "table", "--timeout", str(args.timeout), str(path)],
                                      args.timeout + 30)  # fmt: skip
                    verdict = table_verdict(out) if ours is not None else "timeout"
                    if herd_obs is not None and herd_obs != verdict:
                        verdict += f" (herd7: {herd_obs})"
                    ratio = f"{herd_s / ours:.1f}x" if herd_s is not None and ours else "-"
                    rows.append([label, model, n, herd_cell, f"{ours:.2f}" if ours else "-", ratio, verdict,
                                 lazy_stats(path, model)])  # fmt: skip
                    print(" | ".join(map(str, rows[-1])), file=sys.stderr, flush=True)
    headers = ["family", "model", "N", "herd7 s", "litmus -f table s", "herd7 / litmus", "verdict", "lazy engine"]
    print(tabulate(rows, headers, tablefmt=args.tablefmt))


if __name__ == "__main__":
    main()

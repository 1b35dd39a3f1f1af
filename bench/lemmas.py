"""Are the lazy engine's lemmas sound? Each against every execution the eager encoding allows.

    python3 bench/lemmas.py [PATH...] [--model lkmm] [--budgets 500,0] [--eager-timeout 10]

A lemma (engine/lazy.py) is a clause learned from a violation of a deferred check on one
execution, and must hold of every consistent execution. One that does not loses executions:
the counts come out short, or a verdict turns, and only where the solver happens to propose
the executions in an order that meets it (session 18's subtraction bug lost 3 of 170
executions in one order of four). Comparing counts with herd7 catches it only when it shows;
this catches it wherever such a lemma is learned.

Per test (every .litmus file under the PATHs; default: litmus_tests), the eager encoding (no
check deferred) enumerates every execution, and each model is kept; then per budget (500,
the default; 0, every check deferred) the lazy engine enumerates again and its lemmas are
evaluated on each eager model. Both in this process, one at a time (no helper, no counting
child). Prints a table, then every test with an unsound lemma or differing counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import z3
from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REPO, fmt_s  # noqa: E402
from litmus import api  # noqa: E402
from litmus.arch import lower, parse_file  # noqa: E402
from litmus.engine import count as counting  # noqa: E402
from litmus.engine import lazy  # noqa: E402
from litmus.engine.checker import TestChecker  # noqa: E402
from litmus.errors import LitmusError, NotMeaningful  # noqa: E402

EVERY_CHECK_EAGER = 10**9


class Recording(TestChecker):
    """A checker that keeps the model of every execution it enumerates."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.models: list[z3.ModelRef] = []

    def _model(self) -> z3.ModelRef:
        model = super()._model()
        self.models.append(model)
        return model


def with_budget(budget: int, make):  # type: ignore[no-untyped-def]
    saved, lazy.BUDGET = lazy.BUDGET, budget
    try:
        return make()
    finally:
        lazy.BUDGET = saved


def lemmas_of(checker: TestChecker) -> list[z3.BoolRef]:
    """The list the checker's lemmas go into as its deferred checks learn them."""
    found: list[z3.BoolRef] = []
    conflicts = checker.lazy.conflicts

    def recorded(model, active):  # type: ignore[no-untyped-def]
        lemmas = conflicts(model, active)
        found.extend(lemmas)
        return lemmas

    checker.lazy.conflicts = recorded  # type: ignore[method-assign]
    return found


def excluded(models: list[z3.ModelRef], lemmas: list[z3.BoolRef]) -> int:
    """How many of the executions some lemma is false in."""
    return sum(any(z3.is_false(m.eval(lemma, model_completion=True)) for lemma in lemmas) for m in models)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[str(REPO / "litmus_tests")])
    ap.add_argument("--model", default="lkmm")
    ap.add_argument("--budgets", default="500,0", help="the lazy engine's budgets to try (0: every check deferred)")
    ap.add_argument("--eager-timeout", type=float, default=10.0, help="seconds for the eager enumeration")
    ap.add_argument("--lazy-timeout", type=float, default=60.0)
    ap.add_argument("--tablefmt", default="github")
    args = ap.parse_args()
    counting.walkers = 1  # every execution in this process: no helper, no counting child
    counting.available = lambda: False  # type: ignore[assignment]
    spec = api.load_model(args.model)
    budgets = [int(b) for b in args.budgets.split(",")]
    files = [f for p in map(Path, args.paths) for f in (sorted(p.rglob("*.litmus")) if p.is_dir() else [p])]
    totals = dict.fromkeys(["tests", "eager too slow", "not for this model", "lazy runs", "executions checked",
                            "lemmas", "unsound", "counts differ"], 0)  # fmt: skip
    problems = []
    start = time.perf_counter()
    for k, path in enumerate(files):
        if sys.stderr.isatty():
            print(f"\r{k + 1}/{len(files)} {path.name[:60]:60}", end="", file=sys.stderr, flush=True)
        totals["tests"] += 1
        try:
            test = parse_file(str(path))
            program = lower(test, spec.target, spec.macros, registers=spec.catdep)
            eager = with_budget(EVERY_CHECK_EAGER, lambda: Recording(test, spec, program))
            expected = eager.run(time.perf_counter() + args.eager_timeout)
        except (LitmusError, NotMeaningful):  # another dialect, a primitive the model lacks: not this sweep's
            totals["not for this model"] += 1
            continue
        if not expected.counted or expected.observation == "Unknown":
            totals["eager too slow"] += 1
            continue
        for budget in budgets:
            checker = with_budget(budget, lambda: TestChecker(test, spec, program))
            if checker.lazy is None:  # nothing deferred at this budget
                continue
            lemmas = lemmas_of(checker)
            result = checker.run(time.perf_counter() + args.lazy_timeout)
            totals["lazy runs"] += 1
            totals["executions checked"] += len(eager.models)
            totals["lemmas"] += len(lemmas)
            lost = excluded(eager.models, lemmas)
            counts = (result.positive, result.negative) if result.counted else None
            if lost:
                totals["unsound"] += 1
            if counts != (expected.positive, expected.negative):
                totals["counts differ"] += 1
            if lost or counts != (expected.positive, expected.negative):
                problems.append(f"{path} (budget {budget}): {lost} of {len(eager.models)} executions excluded by "
                                f"a lemma; counts {counts} lazy, {(expected.positive, expected.negative)} eager")
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(tabulate([[*totals.values(), fmt_s(time.perf_counter() - start)]], headers=[*totals, "s"],
                   tablefmt=args.tablefmt))  # fmt: skip
    for line in problems:
        print(line)


if __name__ == "__main__":
    main()

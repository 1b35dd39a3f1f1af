"""One test under one model, end to end: lower, build the z3 problem, answer, explain."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace

from litmus.engine import explain as _explain
from litmus.engine.checker import KINDS, TestChecker
from litmus.engine.model import ModelSpec
from litmus.errors import NotMeaningful
from litmus.arch import lower
from litmus.result import Result
from litmus.syntax import ast
from litmus.syntax.printer import format_condition


def check_test(test: ast.LitmusTest, spec: ModelSpec, timeout: float | None = None,
               recheck: bool = False, skip_checks: Iterable[str] = (), graph_all: bool = False,
               explain: bool = True, count: bool = True, list_states: bool = False) -> Result:  # fmt: skip
    """Check one parsed test under one model (explain: say why a Never verdict is forbidden;
    count: enumerate executions for States and Positive/Negative, else the verdict only, with the
    final states when `list_states`)."""
    start = time.perf_counter()
    deadline = start + timeout if timeout else None
    try:
        program = lower(test, spec.target, spec.macros, registers=spec.catdep)
    except NotMeaningful as nm:
        return Result(
            file=test.path, test=test.name, model=spec.name, kind=KINDS[test.condition.quantifier],
            condition=format_condition(test.condition), observation=None, ok=None,
            not_meaningful=str(nm),
        )  # fmt: skip
    checker = TestChecker(test, spec, program, frozenset(skip_checks))
    build = time.perf_counter() - start
    result = checker.run(deadline, recheck=recheck, count=count, list_states=list_states)
    # per-state witnesses (graph_all), why forbidden (Never verdicts)
    result = _explain.extend(checker, result, deadline, graph_all=graph_all, explain=explain)
    total = time.perf_counter() - start
    return _with_times(result, total, build)


def _with_times(result: Result, total: float, build: float) -> Result:
    return replace(result, time_s=total, build_s=build, solve_s=total - build)

"""`litmus check` on pageblock scenarios (.pb): the family in memory, plus one inclusion line per
batched test (its states under each model ⊆ those of its sequential twin)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, TextIO

from litmus.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, emit, error_results, expand_paths, model_names
from litmus.errors import LitmusError
from litmus.report import format_table
from litmus.result import Result


def is_scenario(path: str) -> bool:
    return path.endswith(".pb")


def inclusion(results: Sequence[Result], twins: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(batched test, model, states ⊆ twin's states) for every batched test whose twin ran."""
    by_key = {(r.test, r.model): r for r in results}
    rows = []
    for batched, twin in twins.items():
        for (test, model), r in by_key.items():
            if test != batched or (twin, model) not in by_key:
                continue
            other = by_key[(twin, model)]
            if r.observation is None or other.observation is None:
                continue
            rows.append((batched, model, set(r.states) <= set(other.states)))
    return rows


def run_scenarios(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`litmus check` when some PATH is a scenario: every test in this process, in order."""
    from litmus import api
    from litmus.scenario.expand import expand_file
    from litmus.arch import parse_file, parse_litmus

    names = model_names(args.model)
    models = []
    for name in names:
        try:
            models.append(api.load_model(name))
        except LitmusError as error:
            err.write(error.render() + "\n")
            return EXIT_USAGE
    loaded = [m.name for m in models]
    fmt = args.format or ("herd" if len(models) == 1 else "table")
    status = EXIT_OK
    collected: list[Result] = []
    twins: dict[str, str] = {}
    for spec in args.paths:
        jobs: list[tuple[str, Any]] = []
        try:
            if is_scenario(spec):
                for t in expand_file(spec):
                    path = f"{spec[:-3]}/{t.name}.litmus"
                    jobs.append((path, lambda t=t, path=path: parse_litmus(t.text, path)))
                    if t.twin:
                        twins[t.name] = t.twin
            else:
                for path in expand_paths([spec]):
                    jobs.append((path, lambda path=path: parse_file(path)))
        except LitmusError as error:
            err.write(error.render() + "\n")
            status = EXIT_FAILED
            continue
        for path, load in jobs:
            try:
                results = api.run_test(load(), models, args.timeout)
            except LitmusError as error:
                err.write(error.render() + "\n")
                status = EXIT_FAILED
                collected.extend(error_results(path, loaded, error.message))
                continue
            collected.extend(results)
            if emit(results, fmt, out, err):
                status = EXIT_FAILED
    if fmt == "table":
        out.write(format_table(collected, loaded, args.tablefmt) + "\n")
    if fmt != "json":
        for batched, model, ok in inclusion(collected, twins):
            out.write(f"inclusion: {batched} ⊆ {twins[batched]} (batched ⊆ sequential) under {model}: "
                      f"{'yes' if ok else 'NO'}\n")
            if not ok:
                status = EXIT_FAILED
    out.flush()
    return status

"""`litmus gen SCENARIO -o DIR`, and `litmus check` on scenarios (.pb): the family in memory, plus
one inclusion line per batched test (its states under each model ⊆ those of its sequential twin)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from litmus.errors import LitmusError
from litmus.result import Result


def add_gen_parser(commands: Any) -> None:
    gen = commands.add_parser(
        "gen",
        help="write a pageblock scenario's family of litmus tests",
        description="Expand a pageblock scenario (.pb) into herd7 C litmus files, one per test.",
    )
    gen.add_argument("scenario", metavar="SCENARIO", help="a .pb scenario file")
    gen.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for the .litmus files")


def run_gen(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from litmus.scenario.expand import expand_file

    try:
        tests = expand_file(args.scenario)
    except LitmusError as error:
        err.write(error.render() + "\n")
        return 1
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for t in tests:
        (folder / f"{t.name}.litmus").write_text(t.text, encoding="utf-8")
    out.write(f"{len(tests)} tests written to {folder}\n")
    return 0


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
    from litmus import api, cli
    from litmus.report import format_table
    from litmus.scenario.expand import expand_file
    from litmus.syntax.c_parser import parse_file, parse_litmus

    names = cli.model_names(args.model)
    models = []
    for name in names:
        try:
            models.append(api.load_model(name))
        except LitmusError as error:
            err.write(error.render() + "\n")
            return cli.EXIT_USAGE
    loaded = [m.name for m in models]
    fmt = args.format or ("herd" if len(models) == 1 else "table")
    status = cli.EXIT_OK
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
                for path in cli.expand_paths([spec]):
                    jobs.append((path, lambda path=path: parse_file(path)))
        except LitmusError as error:
            err.write(error.render() + "\n")
            status = cli.EXIT_FAILED
            continue
        for path, load in jobs:
            try:
                results = api.run_test(load(), models, args.timeout)
            except LitmusError as error:
                err.write(error.render() + "\n")
                status = cli.EXIT_FAILED
                collected.extend(cli._error_results(path, loaded, error.message))
                continue
            collected.extend(results)
            if cli._emit(results, fmt, out, err):
                status = cli.EXIT_FAILED
    if fmt == "table":
        out.write(format_table(collected, loaded, args.tablefmt) + "\n")
    if fmt != "json":
        for batched, model, ok in inclusion(collected, twins):
            out.write(f"inclusion: {batched} ⊆ {twins[batched]} (batched ⊆ sequential) under {model}: "
                      f"{'yes' if ok else 'NO'}\n")
            if not ok:
                status = cli.EXIT_FAILED
    out.flush()
    return status

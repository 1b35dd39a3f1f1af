"""`litmus check [-m MODEL]... [-f herd|table|json] PATH...`: verdicts in herd's format, a table
or JSON lines, with witness graphs (--graph) and why-forbidden lines (--why) on request."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from litmus.cli.common import (
    EXIT_FAILED, EXIT_OK, Progress, UsageError, add_batch_options, emit, stopped,
    error_results, expand_paths, make_batch, report_error, model_names, positive_float,
    DEFAULT_TABLEFMT, table_format,
)  # fmt: skip
from litmus.errors import LitmusError
from litmus.report import format_json, format_table
from litmus.result import NEVER, Result

FORMATS = ("herd", "table", "json")


def add_parser(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="check litmus tests under one or more models",
        description="Check litmus tests under one or more models.",
    )
    check.add_argument(
        "-m", "--model", action="append", default=[], metavar="MODEL[,MODEL...]",
        help="model name, .cat file or herd .cfg; may repeat or be comma-separated (default: sc)",
    )  # fmt: skip
    check.add_argument(
        "-f", "--format", choices=FORMATS, default=None,
        help="output format (default: herd for one model, table for several)",
    )  # fmt: skip
    check.add_argument(
        "--tablefmt", default=DEFAULT_TABLEFMT, type=table_format, metavar="FMT",
        help="tabulate table format for -f table (default: simple)",
    )  # fmt: skip
    check.add_argument(
        "--timeout", type=positive_float, default=None, metavar="S", help="seconds per test and model"
    )
    check.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="a .litmus file, a directory (searched recursively) or @LIST (one path per line)",
    )  # fmt: skip
    add_batch_options(check)
    check.add_argument(
        "--graph", metavar="DIR", default=None,
        help="write DIR/<test>.<model>.dot (and .svg/.png with graphviz) for each witness "
        "(for a Never verdict: the forbidden execution with its cycle highlighted)",
    )  # fmt: skip
    check.add_argument(
        "--graph-all", action="store_true",
        help="with --graph: also one graph per reachable final state (<test>.<model>.<n>.dot)",
    )  # fmt: skip
    check.add_argument(
        "--no-counts", action="store_true",
        help="-f json: the verdict and the final states without counting executions (faster); "
        "positive/negative are then null",
    )  # fmt: skip
    check.add_argument(
        "--why", action="store_true",
        help="herd format: after each Never block, a `Why` line naming the checks and the cycle",
    )  # fmt: skip


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if any(p.endswith(".pb") for p in args.paths):  # pageblock scenarios: families in memory
        if args.cluster is not None:
            raise UsageError("--cluster runs .litmus files; pageblock scenarios (.pb) run here: drop --cluster")
        from litmus.cli.scenarios import run_scenarios

        return run_scenarios(args, out, err)
    names = model_names(args.model)
    if args.no_counts and args.format != "json":
        raise UsageError("--no-counts goes with -f json (herd's format shows the counts; tables never count)")
    files = expand_paths(args.paths)
    if not files:
        raise UsageError("no .litmus files found in " + " ".join(args.paths))
    from litmus import api  # late: keeps --help, --version and usage errors free of z3

    models: list[Any] = []
    for name in names:
        try:
            models.append(api.load_model(name))
        except LitmusError as error:
            return report_error(error, err)
    loaded_names = [str(getattr(m, "name", n)) for m, n in zip(models, names)]
    fmt = args.format or ("herd" if len(models) == 1 else "table")

    status = EXIT_OK
    collected: list[Result] = []
    progress = Progress(err, len(files))
    batch = make_batch(args, files, names, fmt)
    graphs = GraphWriter(args, err)

    def handle(outcome: Any) -> None:
        nonlocal status
        if outcome.error is not None:
            err.write(outcome.error + "\n")
            err.flush()
            status = EXIT_FAILED
            stand_ins = error_results(outcome.path, loaded_names, outcome.message or outcome.error)
            collected.extend(stand_ins)
            if fmt == "json":  # JSON readers get one object per file and model, even failed
                out.write("".join(format_json(r) + "\n" for r in stand_ins))
                out.flush()
            return
        collected.extend(outcome.results)
        graphs.write(outcome.results)
        if emit(outcome.results, fmt, out, err):
            status = EXIT_FAILED
        emit_why(outcome.results, args, fmt, out)

    try:
        for outcome in batch:
            progress.clear()
            handle(outcome)
            progress.show(batch.done_count, outcome.path)
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (cli/main.py)
        progress.clear()
        for index in sorted(batch.finished):  # finished, waiting for an earlier file: print too
            handle(batch.finished[index])
        if fmt == "table" and collected:
            out.write(format_table(collected, loaded_names, args.tablefmt) + "\n")
        out.flush()
        return stopped(interrupt, err)
    progress.clear()
    if fmt == "table":
        out.write(format_table(collected, loaded_names, args.tablefmt) + "\n")
        out.flush()
    return status


class GraphWriter:
    """--graph DIR: the DOT files, and SVG/PNG when graphviz is installed (else one notice)."""

    def __init__(self, args: argparse.Namespace, err: TextIO) -> None:
        self.folder = Path(args.graph) if getattr(args, "graph", None) else None
        self.all = bool(getattr(args, "graph_all", False))
        self.err = err
        self.warned = False

    def write(self, results: Sequence[Result]) -> None:
        if self.folder is None:
            return
        from litmus.report.dot import graph_files, have_graphviz, write_graph

        for result in results:
            for stem, dot in graph_files(result, self.folder, self.all):
                write_graph(dot, self.folder / _safe(stem))
        if not self.warned and not have_graphviz():
            self.err.write("litmus: graphviz 'dot' not found: wrote .dot files only (no .svg/.png)\n")
            self.warned = True


def _safe(stem: str) -> str:
    return stem.replace("/", "_").replace(os.sep, "_")


def emit_why(results: Sequence[Result], args: argparse.Namespace, fmt: str, out: TextIO) -> None:
    if fmt != "herd" or not getattr(args, "why", False):
        return
    for r in results:
        if r.observation == NEVER and r.cycle:
            names = ",".join(r.forbidden_by) or "-"
            out.write(f"Why {r.test} {r.model} forbidden by {names}: {r.cycle}\n\n")
    out.flush()

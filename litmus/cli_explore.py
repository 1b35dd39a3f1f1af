"""Command-line parts for exploring results: `check` options (-j, --graph, --graph-all,
--skip-check, --why), and the `show` and `compare` commands.

`litmus show TEST -m MODEL [-o FILE]` prints the witness graph (DOT; `-o x.svg`/`x.png` renders
it with graphviz). `litmus compare -m sc,tso,arm PATH...` prints the verdict table with the rows
where models disagree marked and, per test, the final states one model allows and another not;
`litmus compare --inclusion A B -m MODEL` says whether states(A) ⊆ states(B).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from tabulate import tabulate_formats

from litmus.result import NEVER, Result

COMPARE_FORMATS = ("table", "markdown", "csv", "json")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _add_batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-j", "--jobs", type=_jobs, default=None, metavar="N",
        help=f"parallel worker processes (default: all cores, here {os.cpu_count()})",
    )  # fmt: skip
    p.add_argument(
        "--skip-check", action="append", default=[], metavar="NAME",
        help="drop the model's check NAME (herd7's -skipchecks); may repeat",
    )  # fmt: skip


def add_check_options(check: argparse.ArgumentParser) -> None:
    _add_batch_options(check)
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
        "--why", action="store_true",
        help="herd format: after each Never block, a `Why` line naming the checks and the cycle",
    )  # fmt: skip


def add_commands(commands: Any) -> None:
    from litmus.cli import _positive_float

    show = commands.add_parser(
        "show", help="print the witness graph of a test under a model (DOT)",
        description="Print the witness execution of TEST under MODEL as a graphviz DOT graph "
        "(for a Never verdict: the forbidden execution, its cycle highlighted).",
    )  # fmt: skip
    show.add_argument("test", metavar="TEST", help="a .litmus file")
    show.add_argument("-m", "--model", default="sc", metavar="MODEL", help="model (default: sc)")
    show.add_argument("-o", "--output", default=None, metavar="FILE",
                      help="write to FILE (.dot, or .svg/.png rendered with graphviz)")  # fmt: skip
    show.add_argument("--state", type=int, default=None, metavar="N",
                      help="the witness of the N-th reachable final state (1-based, herd's order)")
    show.add_argument("--init", action="store_true", help="show the init writes")
    show.add_argument("--skip-check", action="append", default=[], metavar="NAME",
                      help="drop the model's check NAME (herd7's -skipchecks)")
    show.add_argument("--timeout", type=_positive_float, default=None, metavar="S")

    compare = commands.add_parser(
        "compare", help="compare models on tests, or the final states of two tests",
        description="Verdict table across models, rows where they disagree marked, with the final "
        "states one model allows and another does not. With --inclusion A B: is every final state "
        "of A (over the locations both observe) a final state of B?",
    )  # fmt: skip
    compare.add_argument("-m", "--model", action="append", default=[], metavar="MODEL[,MODEL...]",
                         help="models to compare (default: sc,tso,arm)")
    compare.add_argument("-f", "--format", choices=COMPARE_FORMATS, default="table")
    compare.add_argument("--tablefmt", default="simple", choices=tabulate_formats, metavar="FMT",
                         help="tabulate format for -f table (default: simple)")
    compare.add_argument("--only-diff", action="store_true",
                         help="only tests where the models disagree or allow different states")
    compare.add_argument("--inclusion", action="store_true",
                         help="two PATHs A B and one model: states(A) ⊆ states(B)?")
    compare.add_argument("--timeout", type=_positive_float, default=None, metavar="S")
    _add_batch_options(compare)
    compare.add_argument("paths", nargs="+", metavar="PATH")


# -- check ----------------------------------------------------------------------------------


def make_batch(args: argparse.Namespace, files: Sequence[str], names: Sequence[str],
               fmt: str = "herd") -> Any:  # fmt: skip
    from litmus.batch import Batch, Options

    wants_states = fmt != "table" or bool(getattr(args, "graph", None))
    options = Options(
        # a table shows verdicts only: two solver calls, no enumeration of executions
        count=wants_states,
        timeout=args.timeout, skip_checks=tuple(getattr(args, "skip_check", ()) or ()),
        graph_all=bool(getattr(args, "graph_all", False)),
        # why-forbidden costs a few solver calls per Never verdict: only when something shows it
        explain=bool(getattr(args, "why", False) or getattr(args, "graph", None)
                     or getattr(args, "format", None) == "json"),
    )  # fmt: skip
    return Batch(files, names, options, getattr(args, "jobs", None))


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


# -- show, compare --------------------------------------------------------------------------


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from litmus.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, model_names
    from litmus.errors import LitmusError

    try:
        if args.command == "show":
            return _show(args, out, err)
        names = model_names(args.model) if args.model else ["sc", "tso", "arm"]
        if args.inclusion:
            return _inclusion(args, names, out)
        return _compare(args, names, out, err)
    except LitmusError as error:
        located = error.path is not None or error.span is not None
        err.write((error.render() if located else f"litmus: error: {error.message}") + "\n")
        return EXIT_USAGE if not located else EXIT_FAILED
    except UsageError:
        raise
    return EXIT_OK  # pragma: no cover


def _show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from litmus import api
    from litmus.checker import check_test
    from litmus.report.dot import result_dot, witness_dot
    from litmus.syntax.c_parser import parse_file

    if not Path(args.test).is_file():
        from litmus.cli import UsageError

        raise UsageError(f"no such file: {args.test}")
    spec = api.load_model(args.model)
    test = parse_file(args.test)
    try:
        result = check_test(test, spec, args.timeout, skip_checks=tuple(args.skip_check),
                            graph_all=args.state is not None)  # fmt: skip
    except Exception as error:  # noqa: BLE001
        from litmus.errors import LitmusError

        if isinstance(error, LitmusError):
            raise error.located(test.path, test.source) from None
        raise
    if args.state is not None:
        witnesses = result.state_witnesses
        if not 1 <= args.state <= len(witnesses):
            err.write(f"litmus: error: --state {args.state}: {result.test} has {len(witnesses)} final states\n")
            return 2
        w = witnesses[args.state - 1]
        title = f"{result.test} under {result.model}: " + " ".join(f"{l}={v};" for l, v in w.state)
        dot: str | None = witness_dot(w, title, args.init, result.test)
    else:
        dot = result_dot(result, show_init=args.init)
    if dot is None:
        why = result.not_meaningful or result.error or "no execution to show"
        err.write(f"litmus: {result.test} under {result.model}: {why}\n")
        return 1
    if result.cycle:
        err.write(f"{result.test} under {result.model}: {result.cycle}\n")
    if args.output is None:
        out.write(dot)
        return 0
    target = Path(args.output)
    fmt = target.suffix.lstrip(".").lower()
    if fmt in ("svg", "png", "pdf"):
        import subprocess

        from litmus.report.dot import have_graphviz

        if not have_graphviz():
            fallback = target.with_suffix(".dot")
            fallback.write_text(dot, encoding="utf-8")
            err.write(f"litmus: graphviz 'dot' not found: wrote {fallback} instead\n")
            return 1
        subprocess.run(["dot", f"-T{fmt}", "-o", str(target)], input=dot.encode(), check=True)
        return 0
    target.write_text(dot, encoding="utf-8")
    return 0


def _inclusion(args: argparse.Namespace, names: Sequence[str], out: TextIO) -> int:
    from litmus.cli import UsageError
    from litmus.compare import check_inclusion

    if len(args.paths) != 2 or len(names) != 1:
        raise UsageError("--inclusion takes two tests A B and one model (-m MODEL)")
    result = check_inclusion(args.paths[0], args.paths[1], names[0], args.timeout)
    if args.format == "json":
        import json

        out.write(json.dumps({
            "model": result.model, "a": result.a, "b": result.b, "locations": list(result.locations),
            "included": result.included, "extra": [dict(s) for s in result.extra],
        }) + "\n")  # fmt: skip
    else:
        out.write(result.text())
    return 0 if result.included else 1


def _compare(args: argparse.Namespace, names: Sequence[str], out: TextIO, err: TextIO) -> int:
    from litmus import api
    from litmus.cli import EXIT_FAILED, EXIT_OK, expand_paths, UsageError
    from litmus.compare import compare_results, format_compare

    files = expand_paths(args.paths)
    if not files:
        raise UsageError("no .litmus files found in " + " ".join(args.paths))
    # results carry the loaded model's name (a .cat or .cfg path becomes its stem)
    loaded = [api.load_model(name).name for name in names]
    args.graph_all = False
    batch = make_batch(args, files, names)
    results: list[Result] = []
    status = EXIT_OK
    try:
        for outcome in batch:
            if outcome.error is not None:
                err.write(outcome.error + "\n")
                status = EXIT_FAILED
                continue
            results.extend(outcome.results)
    except KeyboardInterrupt:
        err.write("litmus: interrupted\n")
        status = 130
    rows = compare_results(results, loaded)
    out.write(format_compare(rows, loaded, args.format, args.tablefmt, args.only_diff))
    out.flush()
    return status


__all__ = ["GraphWriter", "add_check_options", "add_commands", "emit_why", "make_batch", "run"]

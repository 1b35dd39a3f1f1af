"""`litmus compare -m sc,tso,arm PATH...`: the verdict table with the rows where models disagree
marked and, per test, the final states one model allows and another not;
`litmus compare --inclusion A B -m MODEL`: is every final state of A one of B?"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, TextIO

from litmus.cli.common import (
    EXIT_FAILED, EXIT_OK, UsageError, add_batch_options, expand_paths, make_batch, stopped,
    model_names, positive_float, report_error, DEFAULT_TABLEFMT, table_format,
)  # fmt: skip
from litmus.errors import LitmusError
from litmus.result import Result

FORMATS = ("table", "markdown", "csv", "json")


def add_parser(commands: Any) -> None:
    compare = commands.add_parser(
        "compare", help="compare models on tests, or the final states of two tests",
        description="Verdict table across models, rows where they disagree marked, with the final "
        "states one model allows and another does not. With --inclusion A B: is every final state "
        "of A (over the locations both observe) a final state of B?",
    )  # fmt: skip
    compare.add_argument("-m", "--model", action="append", default=[], metavar="MODEL[,MODEL...]",
                         help="models to compare (default: sc,tso,arm)")
    compare.add_argument("-f", "--format", choices=FORMATS, default="table")
    compare.add_argument("--tablefmt", default=DEFAULT_TABLEFMT, type=table_format, metavar="FMT",
                         help="tabulate format for -f table (default: simple)")
    compare.add_argument("--only-diff", action="store_true",
                         help="only tests where the models disagree or allow different states")
    compare.add_argument("--inclusion", action="store_true",
                         help="two PATHs A B and one model: states(A) ⊆ states(B)?")
    compare.add_argument("--timeout", type=positive_float, default=None, metavar="S")
    add_batch_options(compare)
    compare.add_argument("paths", nargs="+", metavar="PATH")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        names = model_names(args.model) if args.model else ["sc", "tso", "arm"]
        if args.inclusion:
            return _inclusion(args, names, out)
        return _compare(args, names, out, err)
    except LitmusError as error:
        return report_error(error, err)


def _inclusion(args: argparse.Namespace, names: Sequence[str], out: TextIO) -> int:
    from litmus.compare import check_inclusion

    if len(args.paths) != 2 or len(names) != 1:
        raise UsageError("--inclusion takes two tests A B and one model (-m MODEL)")
    result = check_inclusion(args.paths[0], args.paths[1], names[0], args.timeout)
    if args.format == "json":
        out.write(json.dumps({
            "model": result.model, "a": result.a, "b": result.b, "locations": list(result.locations),
            "included": result.included, "extra": [dict(s) for s in result.extra],
        }) + "\n")  # fmt: skip
    else:
        out.write(result.text())
    return 0 if result.included else 1


def _compare(args: argparse.Namespace, names: Sequence[str], out: TextIO, err: TextIO) -> int:
    from litmus import api
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
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (cli/main.py): what finished is compared
        for index in sorted(batch.finished):
            results.extend(batch.finished[index].results)
        status = stopped(interrupt, err)
    rows = compare_results(results, loaded)
    out.write(format_compare(rows, loaded, args.format, args.tablefmt, args.only_diff))
    out.flush()
    return status

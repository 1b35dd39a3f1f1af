"""`litmus show TEST -m MODEL [-o FILE]`: the witness graph as DOT (`-o x.svg`/`x.png` renders
it with graphviz); for a Never verdict, the forbidden execution with its cycle highlighted."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any, TextIO

from litmus.cli.common import UsageError, positive_float, report_error
from litmus.errors import LitmusError


def add_parser(commands: Any) -> None:
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
    show.add_argument("--timeout", type=positive_float, default=None, metavar="S")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        return _show(args, out, err)
    except LitmusError as error:
        return report_error(error, err)


def _show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from litmus import api
    from litmus.engine.check import check_test
    from litmus.report.dot import have_graphviz, result_dot, witness_dot
    from litmus.arch import parse_file

    if not Path(args.test).is_file():
        raise UsageError(f"no such file: {args.test}")
    spec = api.load_model(args.model)
    test = parse_file(args.test)
    try:
        result = check_test(test, spec, args.timeout, skip_checks=tuple(args.skip_check),
                            graph_all=args.state is not None)  # fmt: skip
    except LitmusError as error:
        raise error.located(test.path, test.source) from None
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
        if not have_graphviz():
            fallback = target.with_suffix(".dot")
            fallback.write_text(dot, encoding="utf-8")
            err.write(f"litmus: graphviz 'dot' not found: wrote {fallback} instead\n")
            return 1
        subprocess.run(["dot", f"-T{fmt}", "-o", str(target)], input=dot.encode(), check=True)
        return 0
    target.write_text(dot, encoding="utf-8")
    return 0

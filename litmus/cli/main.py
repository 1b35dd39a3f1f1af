"""`litmus COMMAND ...`: the parser of every subcommand, and dispatch.

Exit status: 0 when every test ran (a timeout or a not-meaningful test still ran), 1 when some
file could not be checked, 2 for usage errors (bad options, a missing PATH, an unknown model),
130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from litmus import __version__
from litmus.cli import check, compare, gen, herd7, serve, show
from litmus.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, UsageError

COMMANDS = {"check": check, "show": show, "compare": compare, "gen": gen, "serve": serve}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="litmus", description="Check herd7-style litmus tests against memory models with z3."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS.values():
        module.add_parser(commands)
    commands.add_parser(  # read by herd7.run, with herd7's own option syntax
        "herd7", add_help=False, help="run as herd7 does, with herd7's options (also: litmus-herd7)",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `litmus` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["herd7"]:  # herd7's single-dash options are not argparse's
        return herd7.run(argv[1:], sys.stdout, sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's usage errors (2), --help and --version (0)
        return int(stop.code or 0)
    out, err = sys.stdout, sys.stderr
    try:
        return COMMANDS[args.command].run(args, out, err)
    except KeyboardInterrupt:  # before the first file started (e.g. while loading models)
        err.write("litmus: interrupted\n")
        return EXIT_INTERRUPTED
    except UsageError as error:
        err.write(f"litmus: error: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # `litmus check ... | head`: stop quietly; point stdout at /dev/null so the exit flush
        # does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED

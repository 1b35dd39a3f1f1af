"""`litmus COMMAND ...`: the parser of every subcommand, and dispatch.

Exit status: 0 when every test ran (a timeout or a not-meaningful test still ran), 1 when some
file could not be checked, 2 for usage errors (bad options, a missing PATH, an unknown model),
130 after Ctrl-C, 143 after SIGTERM (check and compare print what finished, either way).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from litmus import __version__
from litmus.cli import check, compare, gen, herd7, serve, show
from litmus.cli.common import EXIT_FAILED, EXIT_USAGE, Terminated, UsageError, exit_now, stopped

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
    """The command line with `argv` (default: the process's); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["herd7"]:  # herd7's single-dash options are not argparse's
        return herd7.run(argv[1:], sys.stdout, sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's usage errors (2), --help and --version (0)
        return int(stop.code or 0)
    out, err = sys.stdout, sys.stderr
    previous = _terminate_as_interrupt() if args.command in ("check", "compare") else None
    try:
        return COMMANDS[args.command].run(args, out, err)
    except KeyboardInterrupt as interrupt:  # before the first file started (e.g. while loading models)
        return stopped(interrupt, err)
    except UsageError as error:
        err.write(f"litmus: error: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # `litmus check ... | head`: stop quietly; point stdout at /dev/null so the exit flush
        # does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def console() -> NoReturn:
    """The `litmus` console script and `python -m litmus`: main's status, at once (exit_now)."""
    exit_now(main())


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _terminate_as_interrupt() -> object:
    """Make SIGTERM stop a run as Ctrl-C does (what finished is printed); the handler it
    replaces, or None off the main thread, where no handler can be set."""
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:
        return None
    return signal.SIG_DFL if previous is None else previous  # None: set outside Python

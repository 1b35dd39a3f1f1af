"""Command line: `litmus check [-m MODEL]... [-f herd|table|json] PATH...`.

Exit status: 0 when every test ran (a timeout or a not-meaningful test still ran), 1 when some
file could not be checked, 2 for usage errors (bad options, a missing PATH, an unknown model),
130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from tabulate import tabulate_formats

from litmus import __version__
from litmus.errors import LitmusError
from litmus.report import format_herd, format_json, format_note, format_table
from litmus.result import Result

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

FORMATS = ("herd", "table", "json")


class UsageError(Exception):
    """A command-line mistake reported as `litmus: error: ...` with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="litmus", description="Check herd7-style litmus tests against memory models with z3."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="check litmus tests under one or more models",
        description="Check litmus tests under one or more models.",
    )
    check.add_argument(
        "-m",
        "--model",
        action="append",
        default=[],
        metavar="MODEL[,MODEL...]",
        help="model name, .cat file or herd .cfg; may repeat or be comma-separated (default: sc)",
    )
    check.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: herd for one model, table for several)",
    )
    check.add_argument(
        "--tablefmt",
        default="simple",
        choices=tabulate_formats,
        metavar="FMT",
        help="tabulate table format for -f table (default: simple)",
    )
    check.add_argument(
        "--timeout", type=_positive_float, default=None, metavar="S", help="seconds per test and model"
    )
    check.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a .litmus file, a directory (searched recursively) or @LIST (one path per line)",
    )
    from litmus import cli_explore  # witness graphs, why-forbidden, -j; `show` and `compare`

    cli_explore.add_check_options(check)
    cli_explore.add_commands(commands)
    from litmus.scenario.cli import add_gen_parser

    add_gen_parser(commands)
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def model_names(specs: Sequence[str]) -> list[str]:
    """`-m a,b -m c` -> [a, b, c], duplicates dropped, order kept; [sc] when none given."""
    names: list[str] = []
    for spec in specs:
        for name in spec.split(","):
            name = name.strip()
            if not name:
                raise UsageError(f"empty model name in -m {spec!r}")
            if name not in names:
                names.append(name)
    return names or ["sc"]


def expand_paths(specs: Sequence[str]) -> list[str]:
    """Files to run, in order: files as given, directories searched for *.litmus, @lists read."""
    files: list[str] = []
    for spec in specs:
        _expand(spec, files, seen_lists=())
    return files


def _expand(spec: str, files: list[str], seen_lists: tuple[str, ...], origin: str = "") -> None:
    if spec.startswith("@"):
        list_path = spec[1:]
        _expand_list(list_path, files, seen_lists, origin)
        return
    path = Path(spec)
    if path.is_dir():
        files.extend(str(p) for p in sorted(path.rglob("*.litmus")) if p.is_file())
    elif path.is_file():
        files.append(spec)
    else:
        raise UsageError(f"{origin}no such file or directory: {spec}")


def _expand_list(list_path: str, files: list[str], seen_lists: tuple[str, ...], origin: str) -> None:
    key = os.path.realpath(list_path)
    if key in seen_lists:
        raise UsageError(f"{origin}list includes itself: @{list_path}")
    try:
        with open(list_path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as err:
        raise UsageError(f"{origin}cannot read list @{list_path}: {err.strerror}") from None
    folder = os.path.dirname(list_path)
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if entry.startswith("@"):
            target = "@" + os.path.normpath(os.path.join(folder, entry[1:]))
        else:
            target = os.path.normpath(os.path.join(folder, entry))
        _expand(target, files, seen_lists + (key,), origin=f"{list_path}:{number}: ")


class Progress:
    """One self-overwriting line on stderr (`[12/47] SB+poonceonces`), only on a terminal."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.active = total > 1 and _isatty(stream)
        self.shown = False

    def show(self, index: int, path: str) -> None:
        if not self.active:
            return
        name = Path(path).stem
        self.stream.write(f"\r\033[K[{index}/{self.total}] {name}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _error_results(path: str, model_names_: Sequence[str], message: str) -> list[Result]:
    """Stand-in results so a file that failed still has its row (`error` cells) in the table."""
    return [
        Result(
            file=path,
            test=Path(path).stem,
            model=name,
            kind="",
            condition="",
            observation=None,
            ok=None,
            error=message,
        )
        for name in model_names_
    ]


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if any(p.endswith(".pb") for p in args.paths):  # pageblock scenarios: families in memory
        from litmus.scenario.cli import run_scenarios

        return run_scenarios(args, out, err)
    names = model_names(args.model)
    files = expand_paths(args.paths)
    if not files:
        raise UsageError("no .litmus files found in " + " ".join(args.paths))
    from litmus import api  # late: keeps --help, --version and usage errors free of z3

    models: list[Any] = []
    for name in names:
        try:
            models.append(api.load_model(name))
        except LitmusError as error:
            # An unknown model or a missing model file has no place to point at: a usage error.
            # A model file with an error in it is bad input, like a bad litmus file. Either way
            # nothing can run.
            located = error.path is not None or error.span is not None
            err.write((error.render() if located else f"litmus: error: {error.message}") + "\n")
            return EXIT_FAILED if located else EXIT_USAGE
    loaded_names = [str(getattr(m, "name", n)) for m, n in zip(models, names)]
    fmt = args.format or ("herd" if len(models) == 1 else "table")

    from litmus import cli_explore

    status = EXIT_OK
    collected: list[Result] = []
    progress = Progress(err, len(files))
    batch = cli_explore.make_batch(args, files, names, fmt)
    graphs = cli_explore.GraphWriter(args, err)

    def handle(outcome: Any) -> None:
        nonlocal status
        if outcome.error is not None:
            err.write(outcome.error + "\n")
            err.flush()
            status = EXIT_FAILED
            stand_ins = _error_results(outcome.path, loaded_names, outcome.message or outcome.error)
            collected.extend(stand_ins)
            if fmt == "json":  # JSON readers get one object per file and model, even failed
                out.write("".join(format_json(r) + "\n" for r in stand_ins))
                out.flush()
            return
        collected.extend(outcome.results)
        graphs.write(outcome.results)
        if _emit(outcome.results, fmt, out, err):
            status = EXIT_FAILED
        cli_explore.emit_why(outcome.results, args, fmt, out)

    try:
        for outcome in batch:
            progress.clear()
            handle(outcome)
            progress.show(batch.done_count, outcome.path)
    except KeyboardInterrupt:
        progress.clear()
        for index in sorted(batch.finished):  # finished, waiting for an earlier file: print too
            handle(batch.finished[index])
        if fmt == "table" and collected:
            out.write(format_table(collected, loaded_names, args.tablefmt) + "\n")
        out.flush()
        err.write("litmus: interrupted\n")
        return EXIT_INTERRUPTED
    progress.clear()
    if fmt == "table":
        out.write(format_table(collected, loaded_names, args.tablefmt) + "\n")
        out.flush()
    return status


def _emit(results: Sequence[Result], fmt: str, out: TextIO, err: TextIO) -> bool:
    """Print herd/json output now (table waits for the end); True when some result is an error."""
    failed = False
    for result in results:
        is_error = result.observation is None and result.not_meaningful is None
        failed = failed or is_error
        if fmt == "json":
            out.write(format_json(result) + "\n")
        elif fmt == "herd":
            out.write(format_herd(result))
        note = format_note(result)
        # Errors always go to stderr; a not-meaningful test only in herd format, where it has
        # no block (the table shows `n/m`, the JSON object says why).
        if note is not None and (is_error or fmt == "herd"):
            err.write(note + "\n")
    out.flush()
    err.flush()
    return failed


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `litmus` console script; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse's usage errors (2), --help and --version (0)
        return int(stop.code or 0)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "check":
            return run_check(args, out, err)
        if args.command == "gen":
            from litmus.scenario.cli import run_gen

            return run_gen(args, out, err)
        if args.command in ("show", "compare"):
            from litmus import cli_explore

            return cli_explore.run(args, out, err)
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
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE

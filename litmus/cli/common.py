"""What every subcommand shares: exit statuses, usage errors, option types, the expansion of
PATH arguments, the progress line, and printing results as they arrive."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from litmus.errors import LitmusError
from litmus.report import format_herd, format_json, format_note
from litmus.result import Result

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class UsageError(Exception):
    """A command-line mistake reported as `litmus: error: ...` with exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so that it is handled the same way (what finished
    is printed), with its own exit status."""


def stopped(interrupt: KeyboardInterrupt, err: TextIO) -> int:
    """Say why the run stopped early; the exit status for it (130 after Ctrl-C, 143 after SIGTERM)."""
    terminated = isinstance(interrupt, Terminated)
    err.write("litmus: terminated\n" if terminated else "litmus: interrupted\n")
    err.flush()
    return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


def exit_now(status: int) -> NoReturn:
    """End a console script with `status` once stdout and stderr are flushed, skipping the
    interpreter's teardown: freeing every module, z3's context and the models' terms took
    70-85 ms of a one-test `litmus check` (SB under lkmm, 0.42 -> 0.35 s), and the kernel's
    scripts start one process per test. Nothing is lost: the commands close the files they write and stop their
    workers before they return. A reader gone before the last flush (`| head`) is quiet, as
    during the run, and exits 1."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # BrokenPipeError among them; ValueError: closed
            status = status or EXIT_FAILED
    os._exit(status)


DEFAULT_TABLEFMT = "simple"


def table_format(name: str) -> str:
    """--tablefmt: one of tabulate's formats. tabulate is imported only when another is asked
    for: with what it imports (importlib.metadata), it is a tenth of the start-up of a run
    that prints herd's format and no table."""
    if name == DEFAULT_TABLEFMT:
        return name
    from tabulate import tabulate_formats

    if name not in tabulate_formats:
        raise argparse.ArgumentTypeError(f"invalid choice: {name!r} (choose from {', '.join(tabulate_formats)})")
    return name


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def cluster_address(text: str) -> str:
    from litmus.cluster import parse_address  # no dask here: that waits until the run starts

    try:
        parse_address(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def add_batch_options(p: argparse.ArgumentParser) -> None:
    """-j or --cluster, and --skip-check, for the subcommands that run many files."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "-j", "--jobs", type=whole_number, default=None, metavar="N",
        help=f"parallel worker processes (default: all cores, here {os.cpu_count()})",
    )  # fmt: skip
    where.add_argument(
        "--cluster", type=cluster_address, default=None, metavar="ADDRESS",
        help="run on a Dask cluster: a scheduler's tcp://HOST:PORT, or local:N to start N local workers "
        "(needs pip install 'litmus[cluster]')",
    )  # fmt: skip
    p.add_argument(
        "--skip-check", action="append", default=[], metavar="NAME",
        help="drop the model's check NAME (herd7's -skipchecks); may repeat",
    )  # fmt: skip
    p.add_argument(
        "--memory-limit", type=whole_number, default=None, metavar="MB",
        help="address space of each worker process; a test that needs more is Unknown (memory) and the run "
        "goes on (default: the machine's memory shared between the workers, at most 4096; a run of one job "
        "is in this process and unbounded unless this is given, as are the workers of --cluster tcp://...)",
    )  # fmt: skip


def make_batch(args: argparse.Namespace, files: Sequence[str], names: Sequence[str],
               fmt: str = "herd") -> Any:  # fmt: skip
    from litmus.batch import Batch, Options, default_jobs, default_memory_limit  # late: no z3 for --help

    wants_states = fmt != "table" or bool(getattr(args, "graph", None))
    no_counts = bool(getattr(args, "no_counts", False))
    options = Options(
        # a table shows verdicts only: two solver calls, no enumeration of executions; JSON
        # with --no-counts: the states, one solver call each, and no execution counts
        count=wants_states and not no_counts, list_states=no_counts and fmt == "json",
        timeout=args.timeout, skip_checks=tuple(getattr(args, "skip_check", ()) or ()),
        graph_all=bool(getattr(args, "graph_all", False)),
        # why-forbidden costs a few solver calls per Never verdict: only when something shows it
        explain=bool(getattr(args, "why", False) or getattr(args, "graph", None)
                     or getattr(args, "format", None) == "json"),
        memory_limit_mb=_memory_limit(args, len(files), default_jobs, default_memory_limit),
    )  # fmt: skip
    address = getattr(args, "cluster", None)
    if address is not None:
        from litmus.cluster import ClusterBatch, ClusterError

        try:
            return ClusterBatch(files, names, options, address)
        except ClusterError as error:  # before any work: dask missing, nothing at that address
            raise UsageError(str(error)) from None
    return Batch(files, names, options, getattr(args, "jobs", None))


def _memory_limit(args: argparse.Namespace, files: int, default_jobs: Any, default_share: Any) -> int | None:
    """--memory-limit, else a share of the machine when the run has worker processes (a run of one
    job is in this process, where a limit would bound the whole command)."""
    if getattr(args, "memory_limit", None) is not None:
        return int(args.memory_limit)
    if getattr(args, "cluster", None) is not None:
        # a local cluster's workers share this machine; a scheduler's machines are not ours to size
        from litmus.cluster import parse_address

        workers = parse_address(args.cluster)
        return default_share(workers) if workers is not None else None
    jobs = min(getattr(args, "jobs", None) or default_jobs(), files)
    return default_share(jobs) if jobs > 1 else None


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


def report_error(error: LitmusError, err: TextIO) -> int:
    """An error that stops the command (a model that cannot be loaded, a bad test under `show`).
    One with no place to point at (an unknown model, a missing model file) is a usage error; one
    in a file (a model file with an error in it) is bad input, like a bad litmus file."""
    located = error.path is not None or error.span is not None
    err.write((error.render() if located else f"litmus: error: {error.message}") + "\n")
    return EXIT_FAILED if located else EXIT_USAGE


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


def error_results(path: str, model_names_: Sequence[str], message: str) -> list[Result]:
    """Stand-in results so a file that failed still has its row (`error` cells) in the table."""
    return [
        Result(file=path, test=Path(path).stem, model=name, kind="", condition="", observation=None,
               ok=None, error=message)
        for name in model_names_
    ]  # fmt: skip


def emit(results: Sequence[Result], fmt: str, out: TextIO, err: TextIO) -> bool:
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

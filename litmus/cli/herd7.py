"""`litmus herd7 [herd7 options] FILE...` (also the `litmus-herd7` command): litmus in herd7's
place, for scripts that call herd7 — the kernel's tools/memory-model/scripts among them.

herd7's command line as those scripts write it: `-conf`, `-I`, `-model`/`-cat`, `-bell`,
`-macros`, `-variant`, `-timeout`, `-skipcheck(s)`, `-o` with `-show`/`-nshow`, `-unroll`,
`-version`, and herd's figure options (accepted: they shape figures only). Output as herd7 prints
it: one block per test on stdout; a bad test is a `Warning: File "T": ... (User error)` line on
stderr and the run goes on; a test that runs out of `-timeout` prints nothing; the exit status
is 0. Any other herd7 option is refused by name (exit 2), never silently ignored.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from litmus import __version__
from litmus.errors import LitmusError
from litmus.result import UNKNOWN

HERD_VERSION = "7.58"

# herd7's options that only shape its figures (dot files, viewers' input): no effect on the text
FIGURE_OPTIONS = {
    "-graph", "-dotmode", "-dotcom", "-showevents", "-mono", "-scale", "-xscale", "-yscale", "-dsiy",
    "-siwidth", "-ptscale", "-boxscale", "-showthread", "-shift", "-edgemerge", "-labelinit",
    "-showlegend", "-showkind", "-shortlegend", "-squished", "-fixedsize", "-extrachars",
    "-showobserved", "-brackets", "-texmacros", "-tikz", "-showpo", "-showinitrf", "-showfinalrf",
    "-initrfpos", "-finalrfpos", "-oneinit", "-initpos", "-showinitwrites", "-threadposy", "-doshow",
    "-unshow", "-symetric", "-noid", "-classes", "-showraw", "-splines", "-margin", "-pad", "-sep",
    "-fontname", "-fontsize", "-edgefontsizedelta", "-penwidth", "-arrowsize", "-edgeattr", "-overlap",
    "-relabel", "-withbox", "-labelbox", "-movelabel", "-dotheader", "-showflag", "-suffix",
}  # fmt: skip
# options that take no value
FLAGS = {"-version", "-q", "-v", "-showone"}
# options with a value and a meaning here
VALUED = {"-I", "-conf", "-model", "-cat", "-bell", "-macros", "-variant", "-timeout", "-skipcheck",
          "-skipchecks", "-o", "-show", "-nshow", "-unroll", "-speedcheck", "-through"}  # fmt: skip


class HerdUsage(Exception):
    """herd7's command line, not as we can run it."""


def parse(argv: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    """herd7's options (name -> values, in order) and the test files."""
    options: dict[str, list[str]] = {}
    files: list[str] = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg == "-":
            files.append(arg)
            continue
        if arg in ("-help", "--help"):
            options.setdefault("-help", [])
            continue
        if arg in FLAGS:
            options.setdefault(arg, []).append("")
            continue
        if arg in VALUED or arg in FIGURE_OPTIONS:
            if not args:
                raise HerdUsage(f"option {arg} needs a value")
            options.setdefault(arg, []).append(args.pop(0))
            continue
        raise HerdUsage(f"option {arg} is not supported")
    for name, allowed in (("-speedcheck", {"false"}), ("-through", {"none"})):
        for value in options.get(name, []):
            if value not in allowed:
                raise HerdUsage(f"option {name} {value} is not supported (only {name} {' '.join(sorted(allowed))})")
    return options, files


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    try:
        options, files = parse(argv)
        timeout = _timeout(options)
    except HerdUsage as usage:
        err.write(f"litmus herd7: {usage}\n")
        return 2
    if "-help" in options:
        out.write(__doc__ or "")
        return 0
    if "-version" in options:
        out.write(f"{HERD_VERSION}, Rev: litmus {__version__}\n")
        return 0
    from litmus import api

    search = [Path(d) for d in options.get("-I", [])] + [Path.cwd()]
    skip = [name for v in options.get("-skipcheck", []) + options.get("-skipchecks", []) for name in v.split(",") if name]
    variants = [name for v in options.get("-variant", []) for name in v.split(",") if name]
    try:
        spec = _model(api, options, search, variants)
    except LitmusError as error:
        err.write(_warning(None, error) + "\n")
        return 2
    graphs = Path(options["-o"][-1]) if "-o" in options and options.get("-show", ["none"])[-1] != "none" else None
    for path in files:
        try:
            test = api.parse_file(path)
            (result,) = api.run_test(test, [spec], timeout, skip_checks=skip, explain=graphs is not None)
        except LitmusError as error:
            err.write(_warning(path, error) + "\n")
            continue
        if result.observation == UNKNOWN or (result.observation is not None and not result.counted):
            # herd7 prints nothing for a test that ran out of time, and cannot count: a verdict
            # whose counts the timeout cut short (litmus check prints it, with `?`) is not shown
            continue
        if result.observation is None:
            err.write(_warning(path, None, result.not_meaningful or result.error or "no verdict") + "\n")
            continue
        from litmus.report import format_herd

        out.write(format_herd(result))
        out.flush()
        if graphs is not None:
            _write_graph(result, graphs)
    return 0


def _model(api, options: dict[str, list[str]], search: list[Path], variants: list[str]):  # type: ignore[no-untyped-def]
    conf = options.get("-conf", [None])[-1]
    conf_path = None
    if conf is not None:
        conf_path = next((d / conf for d in ([Path()] if Path(conf).is_absolute() else search) if (d / conf).is_file()), None)
        if conf_path is None:
            raise LitmusError(f"cannot find configuration file {conf} (searched -I folders and the current folder)")
    model = (options.get("-model") or options.get("-cat") or [None])[-1]
    if conf_path is None and model is None:
        raise LitmusError("no model: give -conf linux-kernel.cfg, or -model FILE.cat")
    return api.herd_model(
        conf=conf_path, search=search, model=model, bell=(options.get("-bell") or [None])[-1],
        macros=(options.get("-macros") or [None])[-1], variants=variants,
    )  # fmt: skip


def _timeout(options: dict[str, list[str]]) -> float | None:
    value = (options.get("-timeout") or ["none"])[-1]
    if value == "none":
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise HerdUsage(f"-timeout expects seconds or none, found {value!r}") from None
    return seconds if seconds > 0 else None


def _warning(path: str | None, error: LitmusError | None, message: str | None = None) -> str:
    """herd7's error line: `Warning: File "T", line L, characters a-b: MSG (User error)`."""
    text = message if error is None else error.message
    where = path if error is None else (error.path or path)
    if where is None:
        return f"Warning: {text} (User error)"
    span = getattr(error, "span", None)
    if span is not None and span.line and not text.startswith("Unknown macro "):
        start = span.column - 1
        end = (span.end_column - 1) if span.end_line == span.line and span.end_column else start + 1
        return f'Warning: File "{where}", line {span.line}, characters {start}-{end}: {text} (User error)'
    return f'Warning: File "{where}": {text} (User error)'


def _write_graph(result, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from litmus.report.dot import result_dot

    dot = result_dot(result)
    if dot is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{result.test}.dot").write_text(dot, encoding="utf-8")


def console() -> NoReturn:
    """The `litmus-herd7` console script: main's status, at once (common.exit_now)."""
    from litmus.cli.common import exit_now

    exit_now(main())


def main() -> int:
    """`litmus herd7` under herd7's name, with the process's arguments; the exit status."""
    try:
        return run(sys.argv[1:], sys.stdout, sys.stderr)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130

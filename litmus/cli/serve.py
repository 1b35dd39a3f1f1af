"""`litmus serve [--host 127.0.0.1] [--port 8000] [-j N] [--timeout S]`: the web page and JSON
API (litmus/serve/), on this machine only unless --host says otherwise. The web stack is the
optional `serve` extra: without it the command says how to install it."""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path
from typing import Any, TextIO

from litmus.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, positive_float, whole_number

MISSING_EXTRA = "litmus serve needs the serve extra: pip install 'litmus[serve]'"


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return value


def add_parser(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="a web page and JSON API to run tests in a browser (needs the serve extra)",
        description="Serve a page to write or pick a litmus test (or a .pb scenario), choose models "
        "(built-in or an uploaded .cat) and see the verdict table, the final states, witness graphs "
        "and why an outcome is forbidden; with a JSON API (POST /api/check) under it.",
    )  # fmt: skip
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=port_number, default=8000, help="port (default: 8000; 0: any free port)")
    serve.add_argument("-j", "--jobs", type=whole_number, default=None, metavar="N",
                       help=f"worker processes running checks (default: all cores, here {os.cpu_count()})")
    serve.add_argument("--timeout", type=positive_float, default=10.0, metavar="S",
                       help="seconds per request, for all its tests and models (default: 10); "
                       "what does not finish is Unknown")
    serve.add_argument("--tests", metavar="DIR", default=None,
                       help="folder of .litmus and .pb files the page lists (default: the repository's litmus_tests)")


def _stack_missing() -> bool:
    """True when starlette, uvicorn or python-multipart cannot be imported."""
    try:
        importlib.import_module("starlette")
        importlib.import_module("uvicorn")
    except ImportError:
        return True
    for name in ("python_multipart", "multipart"):  # the module's new name, then its old one
        try:
            importlib.import_module(name)
            return False
        except ImportError:
            continue
    return True


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if _stack_missing():
        err.write(MISSING_EXTRA + "\n")
        return EXIT_USAGE
    from litmus.serve.app import default_tests_folder, serve

    tests = Path(args.tests) if args.tests else default_tests_folder()
    if tests is not None and not tests.is_dir():
        err.write(f"litmus: error: no such folder: {args.tests}\n")
        return EXIT_USAGE
    jobs = args.jobs or os.cpu_count() or 1
    try:
        serve(args.host, args.port, jobs, args.timeout, tests, out)
    except OSError as error:
        err.write(f"litmus: error: cannot listen on {args.host}:{args.port}: {error.strerror or error}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK

"""`litmus gen SCENARIO.pb -o DIR`: write a pageblock scenario's family of C litmus tests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from litmus.errors import LitmusError


def add_parser(commands: Any) -> None:
    gen = commands.add_parser(
        "gen",
        help="write a pageblock scenario's family of litmus tests",
        description="Expand a pageblock scenario (.pb) into herd7 C litmus files, one per test.",
    )
    gen.add_argument("scenario", metavar="SCENARIO", help="a .pb scenario file")
    gen.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for the .litmus files")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from litmus.report.files import write_whole
    from litmus.scenario.expand import expand_file

    try:
        tests = expand_file(args.scenario)
    except LitmusError as error:
        err.write(error.render() + "\n")
        return 1
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for t in tests:  # each file whole or absent, even if gen is stopped half-way
        write_whole(folder / f"{t.name}.litmus", t.text)
    out.write(f"{len(tests)} tests written to {folder}\n")
    return 0

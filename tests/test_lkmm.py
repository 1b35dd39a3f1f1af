"""The Linux kernel memory model against the kernel's and herd7's own verdicts, twice: our own
`-m lkmm`, and the kernel's official files (`-m .../linux-kernel.cfg`: its .def, .bell, .cat and
lock.cat loaded unchanged).

Ground truth: each kernel test's `Result:` line (DEADLOCK means herd prints `Never 0 0`,
DATARACE adds a `Flag data-race` line), and herd7's recorded output for the herdtools7
catalogue (`herd-linux/*.expected`), compared line by line except `Time` and `Hash`.
"""

from __future__ import annotations

import csv
import re

import pytest

from litmus import api
from litmus.report.herd import format_herd
from tests.conftest import CORPUS, corpus

RESULT_LINE = re.compile(r"^[( ]\* Result: (\w+)( DATARACE)?", re.M)


MODELS = ["lkmm", "official"]


def model(name: str) -> str:
    """`lkmm`, or the path of the kernel's own linux-kernel.cfg (skip without the corpus)."""
    if name == "official":
        return str(corpus("lkmm-kernel", "model") / "linux-kernel.cfg")
    return name


def _files(*parts: str, pattern: str = "*.litmus") -> list[str]:
    folder = CORPUS.joinpath(*parts)
    return sorted(p.name for p in folder.glob(pattern)) if folder.exists() else []


def judge(herd_text: str, expected: str, datarace: bool) -> None:
    """What the kernel's judgelitmus.sh checks, on our herd-format output."""
    observation = re.search(r"^Observation \S+ (\w+) (\d+) (\d+)$", herd_text, re.M)
    assert observation, herd_text
    word, positive, negative = observation.groups()
    if expected == "DEADLOCK":
        assert (word, positive, negative) == ("Never", "0", "0"), herd_text
    else:
        assert word == expected, herd_text
    assert ("\nFlag data-race\n" in herd_text) == datarace, herd_text


@pytest.mark.parametrize("which", MODELS)
@pytest.mark.parametrize("name", _files("lkmm-kernel", "tests"))
def test_kernel_result_lines(name: str, which: str) -> None:
    path = corpus("lkmm-kernel", "tests") / name
    declared = RESULT_LINE.search(path.read_text())
    assert declared, f"{name} has no Result: line"
    (result,) = api.check(path, [model(which)], recheck=True)
    judge(format_herd(result), declared.group(1), bool(declared.group(2)))


def _herd_lines(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.startswith(("Time ", "Hash="))]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("which", MODELS)
@pytest.mark.parametrize("name", _files("herd-linux"))
def test_herd_catalogue_blocks(name: str, which: str) -> None:
    path = corpus("herd-linux") / name
    (result,) = api.check(path, [model(which)], recheck=True)
    expected = (path.parent / (name + ".expected")).read_text()
    assert _herd_lines(format_herd(result)) == _herd_lines(expected)


def _paulmck_sample() -> list[tuple[str, str]]:
    """Every 10th test of the 1,000 with at most 4 threads: the full run is in bench/."""
    path = CORPUS / "paulmck-dev" / "expected.tsv"
    if not path.exists():
        return []
    with open(path) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if int(r["threads"]) <= 4]
    return [(r["test"], r["result"]) for r in rows[::10]]


@pytest.mark.parametrize("which", MODELS)
@pytest.mark.parametrize("test,expected", _paulmck_sample())
def test_paulmck_sample(test: str, expected: str, which: str) -> None:
    path = corpus("paulmck-dev") / test
    declared = RESULT_LINE.search(path.read_text())
    (result,) = api.check(path, [model(which)])
    judge(format_herd(result), expected, bool(declared and declared.group(2)))

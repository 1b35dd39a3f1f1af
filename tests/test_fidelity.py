"""Fidelity to herd7 on defect classes found against it, each on a minimal test of ours whose
expected block is herd7 7.58's own output (tests/data/fidelity/*.herd7, `herd7-run lkmm`):

* a branch depends on every read behind its condition, whatever its value (`if (r1 | 1)`);
* values out of thin air: a circle of plain copies leaves a symbolic value (herd prints S16,
  we print S; it equals no constant), a circle through a computation has no execution;
* a file without a final condition runs as `forall (true)`;
* `locations [...]` naming a register its thread never declares reads 0.

Both paths must agree: herd's block (enumerating executions) and the verdict alone (-f table).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from litmus import api
from litmus.report import format_herd
from tests.conftest import CORPUS

DATA = Path(__file__).resolve().parent / "data" / "fidelity"
CASES = sorted(DATA.glob("*.litmus"))


def _block(text: str) -> list[str]:
    """A herd block without its Time and Hash lines, herd's symbol numbers dropped (S16 -> S)."""
    lines = [line for line in text.splitlines() if line and not line.startswith(("#", "Time ", "Hash="))]
    return [re.sub(r"=S\d+;", "=S;", line) for line in lines]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_herd_block_equals_herd7s(path: Path) -> None:
    (result,) = api.check(str(path), ["lkmm"], recheck=True)
    expected = _block(path.with_suffix(".herd7").read_text(encoding="utf-8"))
    assert _block(format_herd(result)) == expected


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_verdict_alone_agrees(path: Path) -> None:
    spec = api.load_model("lkmm")
    test = api.parse_file(str(path))
    (counted,) = api.run_test(test, [spec])
    (verdict,) = api.run_test(test, [spec], count=False)
    assert verdict.observation == counted.observation


def test_counts_of_c_jo_oota_4() -> None:
    """herd7 7.58: `Positive: 0 Negative: 5`, `Flag data-race`, Never (the three executions whose
    plain reads of a and b read each other's computed writes have no solution for herd)."""
    path = CORPUS / "paulmck-dev" / "manual" / "oota" / "C-JO-OOTA-4.litmus"
    if not path.is_file():
        pytest.skip("reference corpus not present")
    (result,) = api.check(str(path), ["lkmm"])
    assert (result.observation, result.positive, result.negative, result.flags) == ("Never", 0, 5, ("data-race",))

"""The project's own litmus tests (litmus_tests/) against their hand-derived verdicts.

litmus_tests/expected.tsv has one row per test: the expected observation (Never / Sometimes /
Always) under each of our models `sc`, `tso`, `arm`, the number of distinct final states under SC
(`states_sc`, empty when not given) and the argument for the verdicts. An empty verdict cell means
"no expectation recorded" and is skipped. The verdicts come from hand arguments and published
tables, never from running this tool.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import HARDWARE_FOLDERS

ROOT = Path(__file__).resolve().parent.parent / "litmus_tests"
TABLE = ROOT / "expected.tsv"
MODELS = ("sc", "tso", "arm")
WORDS = {"Never", "Sometimes", "Always"}
COLUMNS = ["test", "sc", "tso", "arm", "states_sc", "reason"]


def _rows() -> list[dict[str, str]]:
    with TABLE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _cases() -> list:
    cases = []
    for row in _rows():
        for model in MODELS:
            word = (row.get(model) or "").strip()
            if not word:
                continue
            states = (row.get("states_sc") or "").strip() if model == "sc" else ""
            cases.append(
                pytest.param(
                    row["test"], model, word, int(states) if states else None,
                    id=f"{row['test'][:-len('.litmus')]}:{model}",
                )
            )
    return cases


def test_table_is_well_formed():
    with TABLE.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
    assert header == COLUMNS
    seen = set()
    for row in _rows():
        name = row["test"]
        assert name not in seen, f"duplicate row for {name}"
        seen.add(name)
        assert name.endswith(".litmus"), name
        assert None not in row, f"{name}: too many columns"
        for model in MODELS:
            word = (row[model] or "").strip()
            assert word == "" or word in WORDS, f"{name}: bad {model} verdict {word!r}"
        states = (row["states_sc"] or "").strip()
        assert states == "" or (states.isdigit() and int(states) > 0), f"{name}: bad states_sc {states!r}"
        assert (row["reason"] or "").strip(), f"{name}: no reason given"


def test_every_litmus_file_has_a_row_and_every_row_a_file():
    own_tables = [p.parent for p in ROOT.rglob("expected.tsv") if p.parent != ROOT]  # e.g. pageblock/
    files = {
        p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.litmus")
        if not any(t in p.parents for t in own_tables)
        and not set(HARDWARE_FOLDERS) & set(p.parts)  # their rows: herd7's output, test_asm.py
    }  # fmt: skip
    rows = {row["test"] for row in _rows()}
    assert sorted(files - rows) == [], "litmus files without a row in expected.tsv"
    assert sorted(rows - files) == [], "rows in expected.tsv without a litmus file"


@pytest.mark.parametrize(("test", "model", "expected", "states_sc"), _cases())
def test_litmus_verdict(test: str, model: str, expected: str, states_sc: int | None):
    from litmus import api  # lazy: collection must work before the API exists

    results = api.check(str(ROOT / test), models=[model])
    assert len(results) == 1, results
    result = results[0]
    assert result.error is None, f"{test} under {model}: {result.error}"
    assert result.observation == expected, (
        f"{test} under {model}: observed {result.observation}, expected {expected}"
    )
    if states_sc is not None:
        assert len(result.states) == states_sc, (
            f"{test} under sc: {len(result.states)} final states, expected {states_sc}: {result.states}"
        )

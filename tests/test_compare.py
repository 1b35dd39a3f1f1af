"""litmus compare: verdicts across models, disagreements marked, extra states; state inclusion."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from litmus import cli
from litmus.compare import check_inclusion, compare_results, format_compare, inclusion
from litmus.result import Result
from tests.conftest import corpus

REPO = Path(__file__).resolve().parents[1]


def test_classic_reproduces_expected_and_marks_disagreement(capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus("classic", "C")
    expected: dict[tuple[str, str], str] = {}
    for line in (folder.parent / "expected.tsv").read_text().splitlines()[1:]:
        test, model, observation, *_ = line.split("\t")
        if test.startswith("C/") and model in ("sc", "tso", "arm"):
            expected[(Path(test).name, model)] = observation
    assert cli.main(["compare", "-m", "sc,tso,arm", "-f", "json", "-j", "2", str(folder)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 5
    for row in rows:
        name = Path(row["file"]).name
        for model in ("sc", "tso", "arm"):
            assert row["verdicts"][model] == expected[(name, model)], (name, model)
        assert row["differ"], name  # MP, LB, SB, IRIW, 2+2W all split the models
        assert row["extra_states"]
    sb = next(r for r in rows if Path(r["file"]).name == "SB.litmus")
    assert {"weaker": "tso", "stronger": "sc", "states": [{"0:r0": "0", "1:r0": "0"}]} in sb["extra_states"]


def test_formats_and_only_diff(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"),
             str(REPO / "litmus_tests/SB/SB+fencembonceonces.litmus")]  # fmt: skip
    assert cli.main(["compare", "-m", "sc,tso", "-j", "1", *files]) == 0
    table = capsys.readouterr().out
    assert "SB+poonceonces" in table and "SB+fencembonceonces" in table and "*" in table
    assert cli.main(["compare", "-m", "sc,tso", "--only-diff", "-f", "markdown", *files]) == 0
    md = capsys.readouterr().out
    assert md.startswith("| test") and "SB+poonceonces" in md and "SB+fencembonceonces" not in md
    assert cli.main(["compare", "-m", "sc,tso", "-f", "csv", *files]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["test", "sc", "tso"] and rows[1][3] == "*"
    assert cli.main(["compare", "-m", "sc,tso", "--tablefmt", "grid", *files]) == 0
    assert capsys.readouterr().out.startswith("+")


def _r(test: str, states: list[dict[str, str]], model: str = "sc") -> Result:
    return Result(file=test, test=test, model=model, kind="Allowed", condition="", observation="Sometimes",
                  ok=True, states=tuple(tuple(s.items()) for s in states))  # fmt: skip


def test_inclusion_over_common_locations() -> None:
    a = _r("A", [{"0:r0": "0", "[x]": "1"}, {"0:r0": "1", "[x]": "1"}])
    b = _r("B", [{"0:r0": "0", "1:r1": "5"}, {"0:r0": "1", "1:r1": "5"}, {"0:r0": "2", "1:r1": "0"}])
    inc = inclusion(a, b)
    assert inc.included and inc.locations == ("0:r0",)
    back = inclusion(b, a)
    assert not back.included and back.extra == ((("0:r0", "2"),),)
    assert "⊄" in back.text() and "0:r0=2;" in back.text()


def test_inclusion_cli() -> None:
    sb = str(REPO / "litmus_tests/SB/SB+poonceonces.litmus")
    fenced = str(REPO / "litmus_tests/SB/SB+fencembonceonces.litmus")
    assert check_inclusion(fenced, sb, "tso").included
    result = check_inclusion(sb, fenced, "tso")
    assert not result.included and result.extra == ((("0:r0", "0"), ("1:r0", "0")),)
    assert cli.main(["compare", "--inclusion", fenced, sb, "-m", "tso"]) == 0
    assert cli.main(["compare", "--inclusion", sb, fenced, "-m", "tso"]) == 1
    assert cli.main(["compare", "--inclusion", sb, "-m", "tso"]) == 2


def test_rows_api() -> None:
    rows = compare_results([_r("T", [{"x": "0"}], "sc"), _r("T", [{"x": "0"}, {"x": "1"}], "tso")], ["sc", "tso"])
    assert not rows[0].differ and rows[0].diffs[0].weaker == "tso"
    assert "tso not sc: x=1;" in format_compare(rows, ["sc", "tso"])


def test_models_given_as_files(capsys: pytest.CaptureFixture[str]) -> None:
    """A .cat path is reported under its stem, and its column is filled like a built-in one's."""
    sc_file = str(REPO / "models" / "sc.cat")
    sb = str(REPO / "litmus_tests" / "SB" / "SB+poonceonces.litmus")
    assert cli.main(["compare", "-m", f"tso,{sc_file}", sb]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["test", "tso", "sc"]
    assert out.splitlines()[2].split()[:4] == ["SB+poonceonces", "Sometimes", "Never", "*"]

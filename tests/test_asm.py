"""The assembly dialects (X86, X86_64, AArch64): every shared hardware test against herd7's own
output (tests/data/herd7-asm.tsv, recorded from herd7 7.58 by bench/asm.py --record: each test
under its architecture's model and under sc.cat), under herd's model files loaded by litmus and
under ours (tso, arm, sc); located errors for what is not supported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from litmus import api
from litmus.arch import parse_litmus
from litmus.errors import LitmusError
from tests.conftest import CORPUS, HARDWARE_FOLDERS, herd_fields

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "tests" / "data" / "herd7-asm.tsv"
LIBDIR = REPO.parent / "shared" / "tools" / "herd7" / "libdir"
OURS = {"x86tso.cat": "tso", "x86tso-mixed.cat": "tso", "aarch64.cat": "arm", "sc.cat": "sc"}

# Where our models and herd's published ones give different verdicts, and why.
OURS_DIFFER: dict[str, str] = {}


def _rows() -> list[dict[str, str]]:
    lines = [line for line in RECORD.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


ROWS = _rows()


def _expected(row: dict[str, str]) -> dict[str, str]:
    return {k: row[k] for k in ("observation", "positive", "negative", "ok", "flags", "states")}


def _corpus_file(row: dict[str, str]) -> Path:
    path = REPO / row["file"] if row["file"].startswith("litmus_tests/") else CORPUS / row["file"]
    if not path.is_file():
        pytest.skip("reference corpus not present")
    return path


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_herd_model_gives_herd7s_block(row: dict[str, str]) -> None:
    path = _corpus_file(row)
    model = LIBDIR / row["model"]
    if not model.is_file():
        pytest.skip("herd7's model library not present")
    (result,) = api.check(str(path), [str(model)], recheck=True)
    assert herd_fields(result) == _expected(row)


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_our_model_gives_herd7s_verdict_and_states(row: dict[str, str]) -> None:
    path = _corpus_file(row)
    (result,) = api.check(str(path), [OURS[row["model"]]], recheck=True)
    if row["file"] in OURS_DIFFER:
        assert result.observation != row["observation"], OURS_DIFFER[row["file"]]
        return
    assert herd_fields(result) == _expected(row)


# ---------------------------------------------------------------- reading and errors

MP_AARCH64 = """AArch64 MP
{
0:X1=x; 0:X3=y;
1:X1=y; 1:X3=x;
}
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | LDR W2,[X3] ;
 MOV W2,#1   |             ;
 STR W2,[X3] |             ;
exists (1:X0=1 /\\ 1:X2=0)
"""


def _error(text: str) -> LitmusError:
    with pytest.raises(LitmusError) as info:
        test = parse_litmus(text, "t.litmus")
        api.run_test(test, [api.load_model("arm")])
    return info.value


def test_reads_the_table_and_the_condition() -> None:
    test = parse_litmus(MP_AARCH64, "t.litmus")
    assert test.arch == "AArch64" and [t.proc for t in test.threads] == [0, 1]
    assert [ins.text for ins in test.threads[1].code] == ["LDR W0,[X1]", "LDR W2,[X3]"]
    assert test.threads[0].code[1].span.line == 8


def test_unsupported_instruction_is_located() -> None:
    err = _error(MP_AARCH64.replace("LDR W2,[X3] ;", "PRFM W2,[X3] ;"))
    assert (err.span.line, err.span.column) == (8, 16)
    assert err.message == "unsupported AArch64 instruction 'PRFM'"


def test_bad_operand_is_located() -> None:
    err = _error(MP_AARCH64.replace("STR W0,[X1] |", "STR W0,[X1 |"))
    assert err.span.line == 8 and "STR W0,[X1" in err.message


def test_unknown_architecture_is_refused_on_line_one() -> None:
    err = _error(MP_AARCH64.replace("AArch64 MP", "PPC MP"))
    assert (err.span.line, err.span.column) == (1, 1)
    assert err.message.startswith("PPC litmus tests are not supported (supported: C, X86, X86_64, AArch64)")


def test_backward_branch_is_refused() -> None:
    err = _error(MP_AARCH64.replace("LDR W2,[X3] ;", "L0: CBNZ W0,L0 ;"))
    assert "backward branch" in err.message and err.span.line == 8


def test_model_of_another_machine_is_not_meaningful() -> None:
    test = parse_litmus(MP_AARCH64, "t.litmus")
    (result,) = api.run_test(test, [api.load_model("tso")])
    assert result.observation is None and result.not_meaningful == "AArch64 code is not meaningful under tso (a model of x86)"


def test_register_names_as_herd_prints_them() -> None:
    (result,) = api.check(MP_AARCH64, ["sc"])
    assert result.states[0] == (("1:X0", "0"), ("1:X2", "0"))


def test_every_own_hardware_test_has_herd7s_row() -> None:
    recorded = {row["file"] for row in ROWS}
    for folder in HARDWARE_FOLDERS:
        for path in sorted((REPO / "litmus_tests" / folder).glob("*.litmus")):
            assert path.relative_to(REPO).as_posix() in recorded, f"{path}: run bench/asm.py --record"


def test_graph_labels_show_instructions(tmp_path: Path) -> None:
    from litmus.report.dot import result_dot

    (result,) = api.check(str(REPO / "litmus_tests/AArch64/MP+dmb.sy+ctrl.litmus"), ["arm"])
    dot = result_dot(result)
    assert dot is not None and "LDR W2,[X3]" in dot and "CBNZ W0,LC00" not in dot  # events only
    assert "[exp" not in dot.lower()  # herd's Exp is on every access: not shown

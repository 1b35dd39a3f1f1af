"""Determinism (issue 17): the same inputs give byte-identical output, but for the measured
fields (herd's `Time` lines; `time_s` and `max_rss_mb` in JSON), whatever -j is and however
many times it runs. Each (test, model) is checked in a fresh z3 context, so what ran before in
the same process (other models, other files) cannot change which execution explains a Never."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litmus import cli
from tests.conftest import CORPUS, own_litmus_files

LOCKS = [str(p) for p in own_litmus_files() if p.name in ("2+2W+locks.litmus", "LB+locks.litmus")]  # varied most
FILES = [str(p) for p in own_litmus_files()[::12]] + LOCKS + [
    str(p) for p in sorted((CORPUS / "classic" / "C").glob("*.litmus"))[:3] if CORPUS.is_dir()
]  # fmt: skip
MODELS = "sc,tso,arm,lkmm"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = cli.main(["check", "-m", MODELS, *args, *FILES])
    out = capsys.readouterr().out
    assert code == 0
    return out


def _herd_without_time(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("Time "))


def _json_without_measures(text: str) -> list[str]:
    rows = []
    for line in text.splitlines():
        row = json.loads(line)
        assert row.pop("time_s") >= 0 and row.pop("max_rss_mb") > 0
        rows.append(json.dumps(row))
    return rows


def test_herd_output_is_the_same_with_one_job_and_with_two(capsys: pytest.CaptureFixture[str]) -> None:
    one = _herd_without_time(_run(capsys, "-f", "herd", "-j", "1"))
    assert one == _herd_without_time(_run(capsys, "-f", "herd", "-j", "2"))
    assert one.count("Observation ") == len(FILES) * 4


def test_json_is_the_same_with_one_job_with_two_and_again(capsys: pytest.CaptureFixture[str]) -> None:
    one = _json_without_measures(_run(capsys, "-f", "json", "-j", "1"))
    assert one == _json_without_measures(_run(capsys, "-f", "json", "-j", "2"))
    assert one == _json_without_measures(_run(capsys, "-f", "json", "-j", "1"))
    assert len(one) == len(FILES) * 4
    assert any(json.loads(row)["cycle"] for row in one)  # the explanations are compared too


def test_the_files_cover_never_verdicts_and_every_folder_kind() -> None:
    assert len(FILES) >= 10 and any("classic" in f for f in FILES) == CORPUS.is_dir()
    assert len({Path(f).parent.name for f in FILES}) >= 5

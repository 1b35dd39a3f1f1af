"""The C tests under LKMM against herd7 7.58's own blocks (States, Ok/No, Positive/Negative,
Flags, Observation), recorded by `bench/herd7_c.py --record` in tests/data/herd7-c/FOLDER.tsv:
the kernel's tests, herd's linux catalogue, the pageblock sample, the classic shapes and our own
litmus_tests (paulmck-dev's 1,000 tests are compared by the bench script only: too slow for CI).

Rows where herd7 timed out or rejected the test are skipped with herd's reason; tests that take
litmus more than 20 s are left to the bench script (SLOW); known differences, defects of litmus
still to fix, are strict xfails (KNOWN_DIFFERENCES), so the list stays explicit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from litmus import api
from tests.conftest import CORPUS, HARDWARE_FOLDERS, herd_fields

REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO / "tests" / "data" / "herd7-c"
FOLDERS = ("lkmm-kernel", "herd-linux", "pageblock-sample", "classic", "litmus_tests")
FIELDS = ("observation", "positive", "negative", "ok", "flags", "states")

# file -> why litmus's block is not herd7's (a defect of litmus, to fix; strict: fixing it turns
# the xfail into a failure, and the entry must go)
# (none at present: the last, `smp_load_acquire(*pbN)` in our generated pageblock tests, was a
# generator bug, and litmus now reads a pointer primitive's `*p` argument as herd does)
KNOWN_DIFFERENCES: dict[str, str] = {}

# file -> seconds under litmus, for tests over 20 s (bench/herd7_c.py covers them); none at present:
# the slowest recorded test here takes about 4 s (pageblock-order-writer-locked-N8)
SLOW: dict[str, float] = {}


def _rows(folders: tuple[str, ...] = FOLDERS) -> list[dict[str, str]]:
    rows = []
    for folder in folders:
        path = RECORDS / f"{folder}.tsv"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        header = lines[0].split("\t")
        rows += [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return rows


ROWS = _rows()


def _param(row: dict[str, str]):  # type: ignore[no-untyped-def]
    reason = KNOWN_DIFFERENCES.get(row["file"])
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(row, marks=marks, id=row["file"])


def _path(row: dict[str, str]) -> Path:
    path = REPO / row["file"] if row["file"].startswith("litmus_tests/") else CORPUS / row["file"]
    if not path.is_file():
        pytest.skip(f"reference corpus not found at {CORPUS}")
    return path


@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_lkmm_gives_herd7s_block(row: dict[str, str]) -> None:
    if row["observation"] == "timeout":
        pytest.skip(f"herd7 gave no verdict within its 60 s timeout ({row['herd_seconds']} s)")
    if row["observation"] == "error":
        pytest.skip(f"herd7 rejects the test: {row['warning']}")
    if row["file"] in SLOW:
        pytest.skip(f"{SLOW[row['file']]:.0f} s under litmus: compared by bench/herd7_c.py only")
    path = _path(row)
    (result,) = api.check(str(path), ["lkmm"])
    assert herd_fields(result) == {k: row[k] for k in FIELDS}


def test_every_own_c_test_has_herd7s_row() -> None:
    recorded = {row["file"] for row in ROWS}
    for path in sorted((REPO / "litmus_tests").rglob("*.litmus")):
        if set(HARDWARE_FOLDERS) & set(path.relative_to(REPO).parts) or not path.read_text().startswith("C "):
            continue
        assert path.relative_to(REPO).as_posix() in recorded, f"{path}: run bench/herd7_c.py --record litmus_tests"

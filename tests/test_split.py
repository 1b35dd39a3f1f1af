"""An enumeration of executions shared with a helper process (checker.SPLIT_AFTER_S): the
executions on one side of a key go to a forked helper, the caller takes the others. The counts,
states and verdicts must be herd7's all the same (recorded herd7 7.58 output, tests/data/herd7-c)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from litmus.engine import checker as checker_module
from litmus.engine import count as counting
from tests.conftest import herd_fields
from tests.test_count import checker_for

REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO / "tests" / "data" / "herd7-c" / "litmus_tests.tsv"
# a coherence test, a zone-locked writer (deferred checks), an unlocked race and a locked batch
SHARED = [
    "litmus_tests/Co/CoRR+poonceonces+2W2R.litmus",
    "litmus_tests/pageblock/order/pageblock-order-writer-locked-N6.litmus",
    "litmus_tests/pageblock/race/pageblock-race-unlocked-o3-lost-N3.litmus",
    "litmus_tests/pageblock/batch/pageblock-batch-zone-locked-reader-plain-torn-N5.litmus",
]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")


def recorded(file: str) -> dict[str, str]:
    lines = [line for line in RECORDS.read_text().splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return next(row for row in rows if row["file"] == file)


def shared_at_once(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every enumeration splits after its first executions; no CNF child. The helpers started."""
    monkeypatch.setattr(counting, "walkers", 2)
    monkeypatch.setattr(counting, "available", lambda: False)
    monkeypatch.setattr(checker_module, "SPLIT_AFTER_S", 0.0)
    started: list[object] = []
    real = checker_module._OtherHalf

    def other_half(task, key):  # type: ignore[no-untyped-def]
        if task is not None:  # (None: a failed helper's side, taken over by the caller)
            started.append(key)
        return real(task, key)

    monkeypatch.setattr(checker_module, "_OtherHalf", other_half)
    return started


@pytest.mark.parametrize("file", SHARED)
def test_a_shared_enumeration_counts_as_herd7(file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started = shared_at_once(monkeypatch)
    result = checker_for(REPO / file).run(deadline=None)
    row = recorded(file)
    assert len(started) == 1
    assert herd_fields(result) == {field: row[field] for field in herd_fields(result)}


def test_a_helper_that_dies_costs_only_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # the helper exits without an answer: the caller enumerates its side of the key itself
    file = SHARED[1]
    started = shared_at_once(monkeypatch)
    monkeypatch.setattr(checker_module.TestChecker, "_other_half", lambda *args: os._exit(1))
    result = checker_for(REPO / file).run(deadline=None)
    row = recorded(file)
    assert len(started) == 1
    assert herd_fields(result) == {field: row[field] for field in herd_fields(result)}


def test_one_core_shares_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    started = shared_at_once(monkeypatch)
    counting.one_core()
    result = checker_for(REPO / SHARED[0]).run(deadline=None)
    assert not started and (result.positive, result.negative) == (0, 72)


def test_the_split_key_halves_the_executions_found() -> None:
    found = [[True, True, False], [True, False, False], [True, True, True], [True, False, True]]
    assert checker_module._split_key(found) == 1  # (key 2 as good: the first wins)
    assert checker_module._split_key([[True, False]]) is None


def test_a_helper_cut_short_leaves_the_verdict_and_no_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    # the helper answers that the cut came first (its side unfinished): the counts are
    # unknown (JSON null, herd `?`), the verdict is herd7's all the same
    file = SHARED[2]
    shared_at_once(monkeypatch)
    monkeypatch.setattr(checker_module.TestChecker, "_other_half", lambda *args: None)
    result = checker_for(REPO / file).run(deadline=None)
    assert result.observation == recorded(file)["observation"]
    assert not result.counted and not result.states_complete


@pytest.mark.parametrize("cnf", ["answers", "gives up"])
def test_the_cnf_child_takes_the_core_of_a_helper_started_before_it(cnf: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the split comes first, then the CNF's child: once the caller waits for the CNF's answer,
    # the helper waits too (three processes on two cores slowed Ganak), and the counts are
    # herd7's whether the CNF counts them (the helper is then stopped) or fails after all (the
    # helper goes on)
    if not counting.available():
        pytest.skip("no model counter (pyganak) or no SAT solver here")
    file = SHARED[0]
    halves = checker_module._OtherHalf
    started = shared_at_once(monkeypatch)
    monkeypatch.setattr(counting, "available", lambda: True)
    monkeypatch.setattr(checker_module, "CNF_AFTER_BUILDS", 0.0)
    monkeypatch.setattr(checker_module, "COUNTER_AFTER", 8)
    calls: list[str] = []
    for name in ("pause", "resume"):
        real = getattr(halves, name)

        def spy(self, real=real, name=name) -> None:  # type: ignore[no-untyped-def]
            calls.append(name if name == "pause" or self.paused else "")
            real(self)

        monkeypatch.setattr(halves, name, spy)
    monkeypatch.setattr(checker_module, "RACE_CNF", False)  # the caller waits for the CNF's answer
    if cnf == "gives up":

        def fails(*args) -> None:  # type: ignore[no-untyped-def]
            time.sleep(0.5)  # (an answer at once would come before the caller waits)

        monkeypatch.setattr(checker_module.TestChecker, "_count_by_cnf", fails)
    result = checker_for(REPO / file).run(deadline=None)
    row = recorded(file)
    assert len(started) == 1
    assert [c for c in calls if c] == (["pause"] if cnf == "answers" else ["pause", "resume"])
    assert herd_fields(result) == {field: row[field] for field in herd_fields(result)}

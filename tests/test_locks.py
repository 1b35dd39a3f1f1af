"""Spinlocks as critical sections in turn (engine/locks.py, engine/encode.py): which lock words
qualify, and the encoding against the plain one, where each write of the lock word is ordered
on its own (that one is compared with herd7 7.58's recorded blocks in test_lkmm, test_corpus
and test_count). The critical sections leave out only executions that break atomicity or
coherence, which every built-in model forbids, so both must give the same States, counts,
flags and verdict, every execution re-checked concretely (a re-check computes fr as
rf^-1 ; co, not from the sections)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from litmus import api
from litmus.arch import lower
from litmus.engine import checker as checker_module
from litmus.engine.checker import TestChecker as Checker
from litmus.engine.locks import critical_sections
from litmus.syntax.c_parser import parse_litmus

REPO = Path(__file__).resolve().parent.parent
# ours that take a spinlock: the classic shapes, and the pageblock scenarios at N <= 2
LOCKING = sorted(
    str(p.relative_to(REPO)) for p in (REPO / "litmus_tests").rglob("*.litmus")
    if "spin_lock" in p.read_text() and ("pageblock" not in p.parts or p.stem.endswith(("N1", "N2")))
)  # fmt: skip


def _program(text: str, model: str = "lkmm"):  # type: ignore[no-untyped-def]
    test = parse_litmus(text, "t.litmus")
    spec = api.load_model(model)
    return test, spec, lower(test, spec.target, spec.macros, registers=spec.catdep)


def _test(*threads: str) -> str:
    procs = "\n".join(
        f"P{k}(int *x, spinlock_t *l)\n{{\n\tint r0;\n{body}\n}}\n" for k, body in enumerate(threads)
    )
    return f"C t\n\n{{}}\n\n{procs}\nexists (x=2)\n"


def test_each_lock_and_the_unlocks_that_end_it() -> None:
    _, _, program = _program(_test(
        "\tspin_lock(l);\n\tr0 = READ_ONCE(*x);\n\tif (r0 == 0) {\n\t\tWRITE_ONCE(*x, 1);\n"
        "\t\tspin_unlock(l);\n\t} else {\n\t\tspin_unlock(l);\n\t\tspin_lock(l);\n\t\tspin_unlock(l);\n\t}",
        "\tspin_lock(l);\n\tWRITE_ONCE(*x, 2);\n\tspin_unlock(l);",
    ))  # fmt: skip
    sections = critical_sections(program)["l"]
    shapes = sorted((s.thread, len(s.unlocks)) for s in sections)
    assert shapes == [(0, 1), (0, 2), (1, 1)]  # P0's first lock ends in either branch
    for s in sections:
        assert (s.read, s.write) in program.rmw
    assert "x" not in critical_sections(program)


@pytest.mark.parametrize("body", [
    "\tspin_lock(l);\n\tspin_lock(l);",  # a self-deadlock: lock, lock
    "\tspin_unlock(l);",  # an unlock of a lock not taken
    "\tspin_lock(l);\n\tWRITE_ONCE(*l, 0);",  # a plain access to the lock word
    "\tspin_lock(l);\n\tr0 = spin_is_locked(l);\n\tspin_unlock(l);",
    "\tif (spin_trylock(l))\n\t\tspin_unlock(l);",
    "\tr0 = READ_ONCE(*x);\n\tif (r0)\n\t\tspin_lock(l);\n\tspin_unlock(l);",  # unlocked on one path
])  # fmt: skip
def test_a_lock_word_used_otherwise_keeps_the_plain_encoding(body: str) -> None:
    _, _, program = _program(_test(body, "\tspin_lock(l);\n\tspin_unlock(l);"))
    assert "l" not in critical_sections(program)


def test_only_under_a_model_known_to_forbid_what_they_leave_out() -> None:
    text = (REPO / "litmus_tests" / "SB" / "SB+locks.litmus").read_text()
    test, spec, program = _program(text)
    assert len(Checker(test, spec, program).execution.sections) == 2
    # a check skipped (herd's -skipchecks) or a model of the user's: each write on its own
    assert Checker(test, spec, program, skip_checks=frozenset({"atomic"})).execution.sections == []
    assert Checker(test, dataclasses.replace(spec, atomic_rmw=False), program).execution.sections == []


@pytest.mark.parametrize("model", ["sc", "tso", "arm", "lkmm"])
@pytest.mark.parametrize("path", LOCKING)
def test_the_same_answers_as_the_plain_encoding(path: str, model: str, monkeypatch) -> None:
    monkeypatch.setattr(checker_module, "RACE_CNF", False)
    test = parse_litmus((REPO / path).read_text(), path)
    spec = api.load_model(model)
    program = lower(test, spec.target, spec.macros, registers=spec.catdep)
    answers = []
    for s in (spec, dataclasses.replace(spec, atomic_rmw=False)):
        checker = Checker(test, s, program)
        r = checker.run(time.perf_counter() + 600, recheck=True)
        answers.append((r.observation, r.positive, r.negative, r.states, r.flags, r.counted))
    assert answers[0] == answers[1]


def test_only_edges_the_sections_order_are_left_out_of_a_cycle_check() -> None:
    # coherence's po-loc | rf | co | fr on the lock word goes forward in the sections' order:
    # its part of the may-graph needs no clocks; with co's pairs between the two sections
    # added backwards it has cycles, and keeps them
    from litmus.cat.relations import Relation, strongly_connected

    text = (REPO / "litmus_tests" / "SB" / "SB+locks.litmus").read_text()
    test, spec, program = _program(text)
    execution = Checker(test, spec, program).execution
    alg, base = execution.algebra, execution.primitive
    lock_word = set(execution._lock_rank)
    coherence = alg.union(alg.union(alg.inter(base("po"), base("loc")), base("rf")), alg.union(base("co"), base("fr")))
    rank = execution._lock_rank
    backwards = Relation({
        (j, i): c for (i, j), c in base("co").entries.items()
        if i in rank and j in rank and -1 < rank[i][1] != rank[j][1] > -1
    })  # fmt: skip
    for rel, ordered in ((coherence, True), (alg.union(coherence, backwards), False)):
        succ = rel.successors()
        parts = [c for c in strongly_connected(succ) if set(c) <= lock_word and len(c) > 1]
        assert parts and all(bool(execution.removable(c, succ)) == ordered for c in parts)


def test_a_cycle_check_through_a_lock_word_keeps_the_chain_of_its_sections() -> None:
    # SC's po | rf | co | fr: the lock word's events share a strongly connected part with the
    # critical sections' accesses. Its edges among them may go, but for the chain that orders
    # them in every execution (a section's read, lock, unlock; the rf of each handover), which a
    # cycle can follow instead. Without rf there is no chain to follow: nothing goes.
    from litmus.cat.relations import strongly_connected

    text = (REPO / "litmus_tests" / "SB" / "SB+locks.litmus").read_text()
    test, spec, program = _program(text, "sc")
    execution = Checker(test, spec, program).execution
    alg, base = execution.algebra, execution.primitive
    rank = execution._lock_rank
    for rel, goes in ((alg.union(alg.union(base("po"), base("rf")), alg.union(base("co"), base("fr"))), True),
                      (alg.union(base("po"), alg.union(base("co"), base("fr"))), False)):  # fmt: skip
        succ = rel.successors()
        (part,) = [c for c in strongly_connected(succ) if len(c) > 1]
        assert any(e not in rank for e in part)  # the accesses inside the sections too
        removed = execution.removable(part, succ)
        assert bool(removed) == goes and all(i in rank and j in rank for i, j in removed)
        handovers = {pair for pair in execution.rf_vars if pair[1] in execution._section_reads}
        sections = {(s.read, s.write) for s in execution.sections}
        assert not removed & (handovers | sections)

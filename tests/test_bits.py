"""The bitset run (cat/bits.py): each operation agrees with the algebra of conditions on one
execution (every entry True), and the lazy loop answers as the traced run alone does.

The reference is the plain Algebra, which the eager encoding and every concrete re-check use;
random relations over a dozen events, with cycles, self-loops and empty rows."""

from __future__ import annotations

import random

import pytest

from litmus import api
from litmus.cat.bits import BitAlgebra, BitRel, BitSet, acyclic, as_bits, closure, holds
from litmus.cat.interp import _has_cycle
from litmus.cat.relations import Algebra, EventSet, Relation
from litmus.engine import lazy
from tests.conftest import REPO

UNIVERSE = list(range(12))


def _random_relation(rng: random.Random, density: float) -> Relation:
    return Relation({(i, j): True for i in UNIVERSE for j in UNIVERSE if rng.random() < density})


def _random_set(rng: random.Random) -> EventSet:
    return EventSet({e: True for e in UNIVERSE if rng.random() < 0.5})


def _same(bits: EventSet | Relation, plain: EventSet | Relation) -> bool:
    return set(bits.entries) == {k for k, c in plain.entries.items() if c is not False}


@pytest.mark.parametrize("seed", range(40))
def test_every_operation_agrees_with_the_algebra_of_conditions(seed: int) -> None:
    rng = random.Random(seed)
    density = rng.choice([0.02, 0.1, 0.3])
    a, b = _random_relation(rng, density), _random_relation(rng, density)
    s, t = _random_set(rng), _random_set(rng)
    plain, bits = Algebra(UNIVERSE, {e: True for e in UNIVERSE}), BitAlgebra(UNIVERSE)
    ba, bb, bs, bt = as_bits(a), as_bits(b), as_bits(s), as_bits(t)
    for op in ("union", "inter", "diff", "seq"):
        assert _same(getattr(bits, op)(ba, bb), getattr(plain, op)(a, b)), op
    for op in ("set_union", "set_inter", "set_diff"):
        assert _same(getattr(bits, op)(bs, bt), getattr(plain, op)(s, t)), op
    for op in ("complement", "inverse", "domain", "range", "reflexive", "plus"):
        assert _same(getattr(bits, op)(ba), getattr(plain, op)(a)), op
    assert _same(bits.set_complement(bs), plain.set_complement(s))
    assert _same(bits.product(bs, bt), plain.product(s, t))
    assert _same(bits.identity(bs), plain.identity(s))
    # a plain value from the interpreter (a set literal, say) mixes with bits
    assert _same(bits.seq(a, bb), plain.seq(a, b))
    assert holds("acyclic", ba) == (not _has_cycle(a.successors()))
    assert holds("irreflexive", ba) == (not any(i == j for i, j in a.entries))
    assert holds("empty", bits.inter(ba, bb)) == (not plain.inter(a, b).entries)


def test_closure_and_cycles_on_small_cases() -> None:
    chain = {0: 0b10, 1: 0b100}  # 0 -> 1 -> 2
    assert closure(chain) == {0: 0b110, 1: 0b100}
    assert acyclic(chain)
    assert not acyclic({0: 0b10, 1: 0b1})  # 0 -> 1 -> 0
    assert not acyclic({3: 1 << 3})  # a self-loop
    assert acyclic({})


def test_entries_are_a_view_of_the_bits() -> None:
    rel = BitRel({2: 0b1001, 5: 0b100000})
    assert len(rel.entries) == 3 and bool(rel.entries)
    assert (2, 3) in rel.entries and (2, 1) not in rel.entries and (7, 0) not in rel.entries
    assert sorted(rel.entries) == [(2, 0), (2, 3), (5, 5)]
    assert dict(rel.entries.items()) == {(2, 0): True, (2, 3): True, (5, 5): True}
    assert rel == BitRel({2: 0b1001, 5: 0b100000})
    events = BitSet(0b10100)
    assert sorted(events.entries) == [2, 4] and 3 not in events.entries and len(events.entries) == 2
    assert not BitRel({}).entries and not BitSet(0).entries


def test_the_lazy_loop_asks_the_bits_and_traces_only_violations(monkeypatch: pytest.MonkeyPatch) -> None:
    # every check of lkmm deferred: each execution proposed goes through the bit run, and the
    # counts are herd7 7.58's (tests/data/herd7-c/litmus_tests.tsv: Never 0 20)
    monkeypatch.setattr(lazy, "BUDGET", 0)
    answers = {"bits": 0, "traced": 0}
    consistent, conflicts = lazy.LazyChecks.consistent, lazy.LazyChecks.conflicts

    def counted_bits(self, model, active):  # type: ignore[no-untyped-def]
        answers["bits"] += 1
        return consistent(self, model, active)

    def counted_traced(self, model, active):  # type: ignore[no-untyped-def]
        answers["traced"] += 1
        return conflicts(self, model, active)

    monkeypatch.setattr(lazy.LazyChecks, "consistent", counted_bits)
    monkeypatch.setattr(lazy.LazyChecks, "conflicts", counted_traced)
    path = REPO / "litmus_tests" / "pageblock" / "order" / "pageblock-order-both-locked-N3.litmus"
    (result,) = api.check(str(path), ["lkmm"], recheck=True)
    assert (result.observation, result.positive, result.negative) == ("Never", 0, 20)
    assert answers["bits"] >= 20 and answers["traced"] >= 1


def test_packed_reading_reads_each_term_as_one_by_one() -> None:
    """PackedBools reads a list of Bool terms from a model in one evaluation: the same values,
    in the same order, as evaluating each term on its own, for atoms, compound terms and terms
    the model leaves open (completed: false), below and above the size it packs from."""
    import z3

    from litmus.cat.relations import PackedBools, eval_bools

    rng = random.Random(7)
    atoms = [z3.Bool(f"p{k}") for k in range(40)]
    x = z3.Int("x")
    solver = z3.Solver()
    solver.add(*[a if rng.random() < 0.5 else z3.Not(a) for a in atoms[:30]], x == 3)  # p30.. open
    assert solver.check() == z3.sat
    model = solver.model()
    terms = atoms + [z3.And(atoms[k], atoms[k + 1]) for k in range(39)] + [x > 2, x > 3, z3.Or(atoms[35], x == 3)]
    for n in (1, 5, PackedBools.PACK_FROM - 1, PackedBools.PACK_FROM, len(terms)):
        reader = PackedBools(terms[:n])
        expected = eval_bools(model, terms[:n])
        reads = PackedBools.PACK_AFTER + 2  # term by term, then packed (and the packed term kept)
        assert [reader.read(model) for _ in range(reads)] == [expected] * reads, n
    assert True in expected and False in expected

"""Cat values on one concrete execution as bitsets: does each check hold, fast.

The lazy consistency engine (engine/lazy.py) asks of every execution the solver proposes
whether the deferred checks hold. A traced run (cat/traced.py) answers with the reasons of
every entry, which it needs only when a check fails; when counting, almost every execution
proposed is consistent. This run answers yes or no on bitsets instead: an event set is an int,
a relation one int per row, and a composition ORs rows instead of building a dict of pairs
(a zone-locked pageblock test's run: 3.7 ms instead of 22). Only a failing check sends the
execution on to the traced run, for its lemmas.

Values here are `Relation` and `EventSet` (the interpreter tests for those) whose `entries` is
a read-only view of the bits: the interpreter's own tests (empty? how many?) read it without a
dict of pairs ever being built. Every entry holds (this is one execution).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from litmus.cat import ast
from litmus.cat.interp import CheckOutcome, Env, _default_check_name
from litmus.cat.relations import Algebra, EventSet, Relation, Why
from litmus.cat.traced import NotTraceable, TracedInterpreter


class Unsupported(Exception):
    """Something this run does not do (a condition that is not a fact of the execution, fresh
    variables, a negated check): the traced run answers instead."""


class Violated(Exception):
    """A wanted check fails on this execution: the run stops there."""


def _ones(bits: int) -> Iterator[int]:
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


class _SetEntries(Mapping):
    """An event set's entries, every one True, read off its bits."""

    __slots__ = ("bits",)

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def __getitem__(self, key: int) -> bool:
        if key >= 0 and self.bits >> key & 1:
            return True
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and key >= 0 and bool(self.bits >> key & 1)

    def __iter__(self) -> Iterator[int]:
        return _ones(self.bits)

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        return bool(self.bits)


class _RelEntries(Mapping):
    """A relation's entries, every one True, read off its rows."""

    __slots__ = ("rows",)

    def __init__(self, rows: dict[int, int]) -> None:
        self.rows = rows

    def __getitem__(self, key: tuple[int, int]) -> bool:
        if key in self:
            return True
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        i, j = key
        return bool(self.rows.get(i, 0) >> j & 1) if j >= 0 else False

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for i, row in self.rows.items():
            for j in _ones(row):
                yield (i, j)

    def __len__(self) -> int:
        return sum(row.bit_count() for row in self.rows.values())

    def __bool__(self) -> bool:
        return bool(self.rows)


class BitSet(EventSet):
    """An event set of one execution: the bit of each member set."""

    def __init__(self, bits: int, exact: bool = False) -> None:
        object.__setattr__(self, "bits", bits)
        object.__setattr__(self, "exact", exact)  # the same in every run on these events

    @property
    def entries(self) -> _SetEntries:  # type: ignore[override]
        # made when asked: most values of a run are only ever combined as bits
        return _SetEntries(self.bits)

    def is_static(self) -> bool:
        return True


class BitRel(Relation):
    """A relation of one execution: per event with successors, their bits (no empty rows)."""

    def __init__(self, rows: dict[int, int], exact: bool = False) -> None:
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "exact", exact)

    @property
    def entries(self) -> _RelEntries:  # type: ignore[override]
        return _RelEntries(self.rows)

    def is_static(self) -> bool:
        return True

    def successors(self) -> dict[int, list[tuple[int, Any]]]:
        return {i: [(j, True) for j in _ones(row)] for i, row in self.rows.items()}

    def sources(self) -> int:
        """The bits of the events with successors (kept: a relation is often composed with
        more than once in a run)."""
        bits = self.__dict__.get("_sources")
        if bits is None:
            bits = 0
            for i in self.rows:
                bits |= 1 << i
            object.__setattr__(self, "_sources", bits)
        return bits


def _holds(c: Any) -> bool:
    """An entry's condition on this execution: it holds (True, or a traced reason) or not."""
    if c is True or isinstance(c, Why):
        return True
    if c is False:
        return False
    raise Unsupported("a condition that is not a fact of this execution")


def as_bits(value: EventSet | Relation, exact: bool | None = None) -> BitSet | BitRel:
    """`value` (entries that hold: True or a traced reason) as bits; `exact` by default as
    `value` says."""
    keep = value.exact if exact is None else exact
    if isinstance(value, (BitSet, BitRel)):
        return value if keep == value.exact else type(value)(value.bits if isinstance(value, BitSet) else value.rows, keep)
    if isinstance(value, EventSet):
        bits = 0
        for e, c in value.entries.items():
            if _holds(c):
                bits |= 1 << e
        return BitSet(bits, keep)
    rows: dict[int, int] = {}
    for (i, j), c in value.entries.items():
        if _holds(c):
            rows[i] = rows.get(i, 0) | (1 << j)
    return BitRel(rows, keep)


def _set(value: EventSet) -> BitSet:
    return value if isinstance(value, BitSet) else as_bits(value)  # type: ignore[return-value]


def _rel(value: Relation) -> BitRel:
    return value if isinstance(value, BitRel) else as_bits(value)  # type: ignore[return-value]


def closure(rows: dict[int, int]) -> dict[int, int]:
    """r+ (Warshall on rows): each middle k adds k's row to every row reaching k."""
    t = dict(rows)
    for k in list(t):
        bit, through = 1 << k, t[k]  # k's own row gains nothing from itself
        for i, row in t.items():
            if row & bit:
                t[i] = row | through
    return t


def acyclic(rows: dict[int, int]) -> bool:
    """No cycle: peel off the events with no successor left until none remain (Kahn's
    algorithm, from the sinks)."""
    left = dict(rows)
    pending = sum(1 << i for i in left)  # events with successors not yet peeled off
    while left:
        peeled = [i for i, row in left.items() if not row & pending]
        if not peeled:
            return False
        for i in peeled:
            del left[i]
            pending &= ~(1 << i)
    return True


class BitAlgebra(Algebra):
    """The algebra on one execution's bits: every event executes, every entry holds."""

    def __init__(self, universe: list[int]) -> None:
        super().__init__(universe, {e: True for e in universe})
        self.all = sum(1 << e for e in universe)

    # -- sets
    def set_union(self, a: EventSet, b: EventSet) -> EventSet:
        a, b = _set(a), _set(b)
        return BitSet(a.bits | b.bits, a.exact and b.exact)

    def set_inter(self, a: EventSet, b: EventSet) -> EventSet:
        a, b = _set(a), _set(b)
        return BitSet(a.bits & b.bits, a.exact and b.exact)

    def set_diff(self, a: EventSet, b: EventSet) -> EventSet:
        a, b = _set(a), _set(b)
        return BitSet(a.bits & ~b.bits, a.exact and b.exact)

    def set_complement(self, a: EventSet) -> EventSet:
        a = _set(a)
        return BitSet(self.all & ~a.bits, a.exact)

    # -- relations
    def union(self, a: Relation, b: Relation) -> Relation:
        a, b = _rel(a), _rel(b)
        out = dict(a.rows)
        for i, row in b.rows.items():
            out[i] = out.get(i, 0) | row
        return BitRel(out, a.exact and b.exact)

    def inter(self, a: Relation, b: Relation) -> Relation:
        a, b = _rel(a), _rel(b)
        small, big = (a.rows, b.rows) if len(a.rows) <= len(b.rows) else (b.rows, a.rows)
        out = {}
        for i, row in small.items():
            both = row & big.get(i, 0)
            if both:
                out[i] = both
        return BitRel(out, a.exact and b.exact)

    def diff(self, a: Relation, b: Relation) -> Relation:
        a, b = _rel(a), _rel(b)
        out = {}
        for i, row in a.rows.items():
            left = row & ~b.rows.get(i, 0)
            if left:
                out[i] = left
        return BitRel(out, a.exact and b.exact)

    def complement(self, a: Relation) -> Relation:
        a = _rel(a)
        out = {}
        for i in self.universe:
            row = self.all & ~a.rows.get(i, 0)
            if row:
                out[i] = row
        return BitRel(out, a.exact)

    def seq(self, a: Relation, b: Relation) -> Relation:
        a, b = _rel(a), _rel(b)
        right = b.rows
        out = {}
        if not right:
            return BitRel(out, a.exact and b.exact)
        middles = b.sources()
        for i, row in a.rows.items():
            row &= middles
            acc = 0
            while row:  # (inlined _ones: the hottest loop of a run)
                low = row & -row
                acc |= right[low.bit_length() - 1]
                row ^= low
            if acc:
                out[i] = acc
        return BitRel(out, a.exact and b.exact)

    def seq_within(self, a: Relation, b: Relation, keys) -> Relation:  # type: ignore[no-untyped-def]
        return self.seq(a, b)  # the whole composition costs less than picking out `keys`

    def inverse(self, a: Relation) -> Relation:
        a = _rel(a)
        out: dict[int, int] = {}
        for i, row in a.rows.items():
            bit = 1 << i
            while row:
                low = row & -row
                j = low.bit_length() - 1
                out[j] = out.get(j, 0) | bit
                row ^= low
        return BitRel(out, a.exact)

    def product(self, a: EventSet, b: EventSet) -> Relation:
        a, b = _set(a), _set(b)
        return BitRel({i: b.bits for i in _ones(a.bits)} if b.bits else {}, a.exact and b.exact)

    def identity(self, a: EventSet) -> Relation:
        a = _set(a)
        return BitRel({i: 1 << i for i in _ones(a.bits)}, a.exact)

    def domain(self, a: Relation) -> EventSet:
        a = _rel(a)
        return BitSet(a.sources(), a.exact)

    def range(self, a: Relation) -> EventSet:
        a = _rel(a)
        bits = 0
        for row in a.rows.values():
            bits |= row
        return BitSet(bits, a.exact)

    def reflexive(self, a: Relation) -> Relation:
        a = _rel(a)
        out = dict(a.rows)
        for i in self.universe:
            out[i] = out.get(i, 0) | (1 << i)
        return BitRel(out, a.exact)

    def plus(self, a: Relation, mode: str = "exact") -> Relation:
        a = _rel(a)
        return BitRel(closure(a.rows), a.exact)

    def fresh_relation(self, keys, name: str) -> Relation:  # type: ignore[no-untyped-def]
        raise Unsupported("fresh variables on one execution")

    def fresh_set(self, keys, name: str) -> EventSet:  # type: ignore[no-untyped-def]
        raise Unsupported("fresh variables on one execution")


def holds(test: str, value: EventSet | Relation) -> bool:
    """Whether `value` passes `test` (acyclic, irreflexive, empty)."""
    if test == "empty":
        return not value.entries
    rows = _rel(value).rows  # type: ignore[arg-type]
    if test == "irreflexive":
        return not any(row >> i & 1 for i, row in rows.items())
    return acyclic(rows)


class BitInterpreter(TracedInterpreter):
    """Runs a model on an execution's bits, judging only the checks in `wanted`: Violated at
    the first that fails; and the flags in `flags`: those this execution raises go into
    `raised`. Keeps exact top-level values for the next run on the same events, as the traced
    run does (with a store of its own: these values are bits)."""

    flags: frozenset[int] = frozenset()

    def check(self, stmt: ast.Check, env: Env) -> None:
        index = len(self.checks)
        name = stmt.name or _default_check_name(stmt)
        if stmt.flag and index in self.flags:
            value = self._judged(stmt, env)
            raised = holds(stmt.test, value) != stmt.negated
            if raised:
                self.raised.add(index)
            self.checks.append(CheckOutcome(name, stmt.test, True, raised, value, stmt.negated, stmt.span))
            return
        if index not in self.wanted or stmt.flag:
            self.checks.append(CheckOutcome(name, stmt.test, stmt.flag, True, None, stmt.negated, stmt.span))
            return
        if stmt.negated:
            raise Unsupported("a negated check")
        value = self._judged(stmt, env)
        if not holds(stmt.test, value):
            raise Violated(name)
        self.checks.append(CheckOutcome(name, stmt.test, stmt.flag, True, value, stmt.negated, stmt.span))

    @staticmethod
    def same(a: Any, b: Any) -> bool:
        # the rows or bits themselves, not a frozenset of every pair (a `let rec` compares
        # each round's values with the last's: LKMM's rcu-order on every run)
        if isinstance(a, BitRel) and isinstance(b, BitRel):
            return a.rows == b.rows
        if isinstance(a, BitSet) and isinstance(b, BitSet):
            return a.bits == b.bits
        return TracedInterpreter.same(a, b)

    def _judged(self, stmt: ast.Check, env: Env) -> EventSet | Relation:
        """The value a check or flag tests, as bits."""
        try:
            value = self.eval(stmt.expr, env)
            if stmt.test != "empty" or not isinstance(value, (EventSet, Relation)):
                value = self.as_relation(value, stmt.expr)
        except NotTraceable as err:
            raise Unsupported(str(err)) from None
        return value


__all__ = ["BitAlgebra", "BitInterpreter", "BitRel", "BitSet", "Unsupported", "Violated", "as_bits", "holds"]

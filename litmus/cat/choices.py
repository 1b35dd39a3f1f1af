"""`with x from S`: the parts of an execution a model generates itself (herd's cos-opt.cat,
lock.cat), as symbolic choices instead of one candidate execution per element of S.

Sets of values other than events and pairs (the candidate lists lock.cat builds with `map`) are
ValueSets: each element present under a condition. Two shapes of S are chosen from:

* a set of candidates, or `cross(T)` for a set T of candidate sets: one fresh Bool per candidate,
  exactly one true per (present) set, and x is the union of the chosen ones;
* `generate_orders(s, pco)`: a strict total order per location on the events of s that extends
  pco, as integer clocks (the encoder's own co clocks for the writes it already orders, so the two
  agree; init writes first, as co0 demands anyway).

A witness re-check runs the model on one concrete execution: there the solver's choice is read
back and verified to be a genuine element of S, so a wrong encoding cannot pass unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import z3

from litmus.cat.relations import Cond, EventSet, Relation, and_, or_, to_z3


@dataclass(frozen=True)
class EventV:
    """One event, as an element of a set (`map f S`, `{e}`)."""

    id: int


@dataclass(frozen=True)
class PairV:
    """One pair of events, as an element of a relation."""

    pair: tuple[int, int]


@dataclass(frozen=True)
class ValueSet:
    """A set of values, each present under its condition."""

    items: tuple[tuple[Any, Cond], ...]


@dataclass(frozen=True)
class CrossV:
    """`cross(T)`: every union of one element taken from each set of T."""

    components: ValueSet


@dataclass(frozen=True)
class OrdersV:
    """`generate_orders(s, pco)`: the per-location strict total orders of s that extend pco."""

    events: EventSet
    pco: Relation


class ChoiceError(Exception):
    """S is not a shape `with` can choose from."""


def _relation(value: Any) -> Relation:
    if isinstance(value, Relation):
        return value
    if _is_nothing(value):
        return Relation({})
    raise ChoiceError("`with x from S` chooses relations; an element of S is not one")


def _sets(source: Any) -> list[tuple[Cond, list[tuple[Relation, Cond]]]]:
    """The candidate sets of S: (condition of the set, [(candidate, its condition)])."""
    if isinstance(source, CrossV):
        out = []
        for member, c in source.components.items:
            if isinstance(member, ValueSet):
                out.append((c, [(_relation(v), d) for v, d in member.items]))
            elif isinstance(member, Relation):  # a relation is the set of its single edges
                out.append((c, [(Relation({k: True}), d) for k, d in member.entries.items()]))
            else:
                out.append((c, [] if _is_nothing(member) else [(_relation(member), True)]))
        return out
    if isinstance(source, ValueSet):
        return [(True, [(_relation(v), d) for v, d in source.items])]
    raise ChoiceError(
        "`with x from S`: S must be a set of relations, cross(...) of such sets, or "
        "generate_orders(...)/generate_cos(...)"
    )


def _is_nothing(value: Any) -> bool:
    """`0` (the interpreter's EMPTY, not imported: it imports us) or an empty event set."""
    return type(value).__name__ == "_Empty" or (isinstance(value, EventSet) and not value.entries)


# ---------------------------------------------------------------- symbolic


class SymbolicChooser:
    """Makes the fresh variables and constraints of each `with`, for one symbolic execution."""

    def __init__(self, loc: Relation, clocks: dict[int, z3.ArithRef], init: set[int],
                 executes: dict[int, Cond]) -> None:  # fmt: skip
        self.loc = loc
        # Entries of sets and relations hold when their events execute; a constraint must say so.
        self.executes = executes
        self.clocks = clocks  # the encoder's co clocks
        self.init = init
        self.constraints: list[z3.BoolRef] = []
        self.keys: list[z3.BoolRef] = []  # what tells executions apart, for counting them
        self._count = 0

    def choose(self, source: Any) -> Relation:
        self._count += 1
        if isinstance(source, OrdersV):
            return self._orders(source)
        out: dict[tuple[int, int], list[Cond]] = {}
        for i, (present, candidates) in enumerate(_sets(source)):
            picks = []
            for j, (rel, cond) in enumerate(candidates):
                b = z3.Bool(f"with{self._count}_{i}_{j}")
                picks.append(b)
                self.keys.append(b)
                self.constraints.append(z3.Implies(b, to_z3(and_(present, cond))))
                for k, c in rel.entries.items():
                    out.setdefault(k, []).append(and_(b, c))
            self.constraints.append(z3.Implies(to_z3(present), z3.Or(picks) if picks else z3.BoolVal(False)))
            if len(picks) > 1:
                self.constraints.append(z3.AtMost(*picks, 1))
        return Relation({k: or_(cs) for k, cs in out.items()})

    def _clock(self, e: int) -> z3.ArithRef:
        if e in self.init:
            return z3.IntVal(0)
        if e not in self.clocks:
            self.clocks[e] = z3.Int(f"gco{self._count}_{e}")
            self.constraints.append(self.clocks[e] > 0)
        return self.clocks[e]

    def _orders(self, source: OrdersV) -> Relation:
        fresh_before = set(self.clocks)
        members = source.events.entries
        order: dict[tuple[int, int], Cond] = {}
        run = self.executes
        for a, b in combinations(sorted(members), 2):
            same = self.loc.entries.get((a, b), False)
            if same is False or (a in self.init and b in self.init):
                continue
            both = and_(run[a], run[b], members[a], members[b], same)
            ca, cb = self._clock(a), self._clock(b)
            order[(a, b)] = and_(both, ca < cb)
            order[(b, a)] = and_(both, cb < ca)
            if not (a in fresh_before and b in fresh_before):  # the encoder orders its own
                self.constraints.append(z3.Implies(to_z3(both), ca != cb))
                self.keys.append(to_z3(order[(a, b)]))
        for (a, b), c in source.pco.entries.items():
            wanted = to_z3(and_(run[a], run[b], c))
            self.constraints.append(z3.Implies(wanted, to_z3(order.get((a, b), False))))
        return Relation(order)


# ---------------------------------------------------------------- concrete


def is_element(source: Any, chosen: Relation, loc: Relation) -> bool:
    """On a concrete execution (every condition True): is `chosen` an element of S?"""
    edges = set(chosen.entries)
    if isinstance(source, OrdersV):
        return _is_order(source, edges, set(loc.entries))
    sets = [[set(rel.entries) for rel, _ in candidates] for _, candidates in _sets(source)]

    def pick(k: int, covered: set) -> bool:
        if k == len(sets):
            return covered == edges
        return any(c <= edges and pick(k + 1, covered | c) for c in sets[k])

    return pick(0, set())


def _is_order(source: OrdersV, edges: set, loc: set) -> bool:
    members = set(source.events.entries)
    pairs = {(a, b) for a in members for b in members if a != b and (a, b) in loc}
    if not edges <= pairs or not set(source.pco.entries) <= edges:
        return False
    if any(((a, b) in edges) == ((b, a) in edges) for a, b in pairs):
        return False  # not total, or not antisymmetric
    return all((a, c) in edges for a, b in edges for b2, c in edges if b == b2 and a != c)

"""Sparse symbolic event sets and relations.

An entry maps an event (set) or a pair of events (relation) to a condition: the Python constant
True (holds whenever its events execute) or a z3 Bool. A missing entry is false and never built.
Conditions are *relative to execution*: pair (i, j) with condition c is in the relation of an
execution iff exec(i) and exec(j) and c. So relations built from static facts (po, tags, fences)
stay Python-static even for events under branches, and only a composition through a middle event
k needs exec(k) spelled out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Union

import z3
from z3 import z3core

class Why:
    """Why an entry holds in one traced execution (cat/traced.py): the conjunction of its parts,
    z3 terms true in that execution and other reasons. Built in O(1) per step; flattened to
    literals only for the few entries that end up in a violation."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple) -> None:
        self.parts = parts


class WhyNot(Why):
    """Why a term false in the traced execution does not hold: its negation, built only if a
    violation uses it (an execution has many absences, few of them explained)."""

    __slots__ = ("term", "_negated")

    def __init__(self, term: z3.BoolRef) -> None:
        self.term = term
        self._negated: tuple | None = None

    @property  # type: ignore[override]
    def parts(self) -> tuple:
        if self._negated is None:  # (built once: one absence can be in a thousand lemmas)
            self._negated = (mk_not(self.term),)
        return self._negated


Cond = Union[bool, z3.BoolRef, Why]  # True, or a z3 term (False entries are absent), or a Why


def is_true(c: Cond) -> bool:
    return c is True


# z3's Python And/Or/Not check and coerce every argument; these hot paths build millions of
# terms, so they call the C API directly on arguments known to be Bool terms of one context.
def _mk_nary(mk, args: list) -> z3.BoolRef:
    ctx = args[0].ctx
    array = (z3.Ast * len(args))()
    for k, a in enumerate(args):
        array[k] = a.as_ast()
    return z3.BoolRef(mk(ctx.ref(), len(args), array), ctx)


def mk_and(args: list) -> z3.BoolRef:
    return _mk_nary(z3core.Z3_mk_and, args)


def mk_or(args: list) -> z3.BoolRef:
    return _mk_nary(z3core.Z3_mk_or, args)


def mk_not(a: z3.BoolRef) -> z3.BoolRef:
    return z3.BoolRef(z3core.Z3_mk_not(a.ctx.ref(), a.as_ast()), a.ctx)


def mk_implies(a: z3.BoolRef, b: z3.BoolRef) -> z3.BoolRef:
    return z3.BoolRef(z3core.Z3_mk_implies(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


# (one array type: making it per call left a reference cycle behind each time)
_ONE_AST = z3.Ast * 1


def eval_bools(model: z3.ModelRef, terms: list[z3.BoolRef]) -> list[bool]:
    """The truth values of Bool terms in a model (completed), through the C API: enumerating
    executions evaluates every key of every execution."""
    if not terms:
        return []
    ctx = terms[0].ctx
    ref, m = ctx.ref(), model.model
    out = []
    result = _ONE_AST()  # read at once, never kept: no reference count to take
    for t in terms:
        if not z3core.Z3_model_eval(ref, m, t.as_ast(), True, result):
            raise z3.Z3Exception("model evaluation failed")
        out.append(z3core.Z3_get_bool_value(ref, result[0]) == z3.Z3_L_TRUE)
    return out


def eval_ints(model: z3.ModelRef, terms: list[z3.ArithRef]) -> list[int]:
    """The values of integer terms in a model (completed), through the C API."""
    if not terms:
        return []
    ctx = terms[0].ctx
    ref, m = ctx.ref(), model.model
    out = []
    result = _ONE_AST()
    for t in terms:
        if not z3core.Z3_model_eval(ref, m, t.as_ast(), True, result):
            raise z3.Z3Exception("model evaluation failed")
        out.append(int(z3core.Z3_get_numeral_string(ref, result[0])))
    return out


class PackedBools:
    """A fixed list of Bool terms read from model after model, all at once: their bits
    concatenated into one bit-vector term, evaluated once and read off its numeral. Reading
    3,000 terms one C call each takes 7.8 ms, packed 2.4 (a zone-locked pageblock test reads
    that many per execution it enumerates). Packing costs about eight reads (15 us a term), so
    a list is read term by term until it has been read that often, and a short one always."""

    PACK_FROM = 64  # terms
    PACK_AFTER = 8  # reads

    def __init__(self, terms: list[z3.BoolRef]) -> None:
        self.terms = terms
        self._packed: z3.BitVecRef | None = None
        self._reads = 0

    def read(self, model: z3.ModelRef) -> list[bool]:
        """The terms' values in `model` (completed), in order."""
        self._reads += 1
        if len(self.terms) < self.PACK_FROM or self._reads <= self.PACK_AFTER:
            return eval_bools(model, self.terms)
        if self._packed is None:
            one, zero = z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)
            self._packed = z3.Concat([z3.If(t, one, zero) for t in self.terms])  # the first term highest
        bits = format(model.eval(self._packed, model_completion=True).as_long(), f"0{len(self.terms)}b")
        return [b == "1" for b in bits]


def and_(*conds: Cond) -> Cond:
    rest = []
    for c in conds:
        if c is True:
            continue
        if c is False:
            return False
        rest.append(c)
    if not rest:
        return True
    if len(rest) == 1:
        return rest[0]
    if isinstance(rest[0], Why):  # a traced execution: conditions are reasons
        return Why(tuple(rest))
    return mk_and(rest)


def _either(a: Cond, b: Cond) -> Cond:
    """a or b, True when one is the other's negation: an event in one of two tag sets by a
    condition and its opposite (a spin_trylock's read: LKR when it takes the lock, LF when not)
    is in their union in every execution, and never in what is left of M without it (LKMM's
    Plain, which its data-race flag builds on: 84,000 terms for nothing)."""
    if isinstance(a, z3.BoolRef) and isinstance(b, z3.BoolRef):
        if (z3.is_not(a) and a.arg(0).eq(b)) or (z3.is_not(b) and b.arg(0).eq(a)):
            return True
    return or_((a, b))


def or_(conds: Iterable[Cond]) -> Cond:
    rest = []
    for c in conds:
        if c is True:
            return True
        if c is not False:
            rest.append(c)
    if not rest:
        return False
    if len(rest) == 1:
        return rest[0]
    if isinstance(rest[0], Why):  # it holds: any one reason will do
        return rest[0]
    return mk_or(rest)


def _one_or(row: dict[int, list[Cond]], j: int) -> Cond:
    """Entry j of a row of disjunct lists as one condition, kept so from then on."""
    paths = row[j]
    if len(paths) > 1:
        paths[:] = [or_(paths)]
    return paths[0]


def not_(c: Cond) -> Cond:
    if c is True:
        return False
    if c is False:
        return True
    if isinstance(c, Why):  # it holds in the traced execution
        return False
    return mk_not(c)


def to_z3(c: Cond) -> z3.BoolRef:
    if c is True:
        return z3.BoolVal(True)
    if c is False:
        return z3.BoolVal(False)
    return c


@dataclass(frozen=True)
class EventSet:
    entries: Mapping[int, Cond]
    # In a traced execution: which keys are absent is the same in every execution where the
    # key's events execute (tags, po ...), so an absence needs no reason (cat/traced.py)
    exact: bool = field(default=False, compare=False)
    # ... or, for a base value that depends on the execution, why each absent key is absent
    # (a key not in it is absent from every execution)
    absent: Mapping[int, Cond] | None = field(default=None, compare=False)

    def is_static(self) -> bool:
        return all(c is True for c in self.entries.values())


@dataclass(frozen=True)
class Relation:
    entries: Mapping[tuple[int, int], Cond]
    exact: bool = field(default=False, compare=False)  # as EventSet.exact
    absent: Mapping[tuple[int, int], Cond] | None = field(default=None, compare=False)  # ditto

    def is_static(self) -> bool:
        return all(c is True for c in self.entries.values())

    def successors(self) -> dict[int, list[tuple[int, Cond]]]:
        out: dict[int, list[tuple[int, Cond]]] = defaultdict(list)
        for (i, j), c in self.entries.items():
            out[i].append((j, c))
        return out


def _put(acc: dict, key, c: Cond) -> None:
    if c is False:
        return
    acc[key] = c


class OverBudget(Exception):
    """An evaluation built more terms than its budget (Algebra.budget)."""


# A check with no closure over an execution-dependent relation goes over budget only at this
# many times its budget (about 100,000 terms at lazy.BUDGET's 500): coherence of a lock word
# with many writes is dense but flat, and the solver is better off knowing it
HARD_BUDGET_FACTOR = 200


class Algebra:
    """Set/relation operations over one universe of events with their execution conditions."""

    def __init__(self, universe: list[int], executes: Mapping[int, Cond], determined: bool = False) -> None:
        self.universe = universe
        self.executes = executes
        self.side_constraints: list[z3.BoolRef] = []  # definitions of fresh closure variables
        self._fresh = 0
        # Every closure a function of the execution (Warshall's circuit) instead of fresh
        # variables with ranks: more terms, but no freedom beyond the execution itself, which is
        # what a model counter needs (engine/count.py).
        self.determined = determined
        # terms built so far by compositions and closures, and the count past which they raise
        # OverBudget (a check too dense to encode eagerly goes lazy: engine/lazy.py)
        self.work = 0
        self.budget: int | None = None  # the value of `work` past which OverBudget is raised
        self.budget_size = 0  # that budget's own size
        # whether a closure over an execution-dependent relation has been built since this was
        # last reset: only such checks are worth deferring (a check without one, coherence say,
        # is cheap to encode and tells the solver most)
        self.closed = False

    def spend(self, n: int) -> None:
        self.work += n
        if self.budget is not None and self.work > self.budget:
            # past the budget with a closure, or far past it without one
            if self.closed or self.work > self.budget + HARD_BUDGET_FACTOR * self.budget_size:
                raise OverBudget(self.work)

    # -- sets
    def set_union(self, a: EventSet, b: EventSet) -> EventSet:
        out = dict(a.entries)
        for k, c in b.entries.items():
            out[k] = _either(out[k], c) if k in out else c
        return EventSet(out)

    def set_inter(self, a: EventSet, b: EventSet) -> EventSet:
        out: dict[int, Cond] = {}
        for k, c in a.entries.items():
            if k in b.entries:
                _put(out, k, and_(c, b.entries[k]))
        return EventSet(out)

    def set_diff(self, a: EventSet, b: EventSet) -> EventSet:
        out: dict[int, Cond] = {}
        for k, c in a.entries.items():
            _put(out, k, and_(c, not_(b.entries[k])) if k in b.entries else c)
        return EventSet(out)

    def set_complement(self, a: EventSet) -> EventSet:
        return self.set_diff(EventSet({e: True for e in self.universe}, exact=True), a)

    # -- relations
    def union(self, a: Relation, b: Relation) -> Relation:
        out = dict(a.entries)
        for k, c in b.entries.items():
            out[k] = or_((out[k], c)) if k in out else c
        return Relation(out)

    def inter(self, a: Relation, b: Relation) -> Relation:
        small, big = (a, b) if len(a.entries) <= len(b.entries) else (b, a)
        out: dict[tuple[int, int], Cond] = {}
        for k, c in small.entries.items():
            if k in big.entries:
                _put(out, k, and_(c, big.entries[k]))
        return Relation(out)

    def diff(self, a: Relation, b: Relation) -> Relation:
        out: dict[tuple[int, int], Cond] = {}
        for k, c in a.entries.items():
            _put(out, k, and_(c, not_(b.entries[k])) if k in b.entries else c)
        return Relation(out)

    def complement(self, a: Relation) -> Relation:
        full = {(i, j): True for i in self.universe for j in self.universe}
        return self.diff(Relation(full, exact=True), a)

    def seq(self, a: Relation, b: Relation) -> Relation:
        succ = b.successors()
        acc: dict[tuple[int, int], list[Cond]] = defaultdict(list)
        for (i, k), c1 in a.entries.items():
            nexts = succ.get(k)
            if not nexts:
                continue
            mid = self.executes[k]
            for j, c2 in nexts:
                acc[(i, j)].append(and_(c1, mid, c2))
            self.spend(len(nexts))
        out: dict[tuple[int, int], Cond] = {}
        for key, conds in acc.items():
            _put(out, key, or_(conds))
        return Relation(out)

    def seq_within(self, a: Relation, b: Relation, keys: Iterable[tuple[int, int]]) -> Relation:
        """The pairs of a;b among `keys` (what `keys & (a;b)` needs of the composition)."""
        succ = a.successors()
        out: dict[tuple[int, int], Cond] = {}
        for i, j in keys:
            nexts = succ.get(i, ())
            self.spend(len(nexts))
            _put(out, (i, j), or_(
                and_(c1, self.executes[k], b.entries[(k, j)]) for k, c1 in nexts if (k, j) in b.entries
            ))  # fmt: skip
        return Relation(out)

    def inverse(self, a: Relation) -> Relation:
        return Relation({(j, i): c for (i, j), c in a.entries.items()})

    def product(self, a: EventSet, b: EventSet) -> Relation:
        out: dict[tuple[int, int], Cond] = {}
        for i, c1 in a.entries.items():
            for j, c2 in b.entries.items():
                _put(out, (i, j), and_(c1, c2))
        return Relation(out)

    def identity(self, a: EventSet) -> Relation:
        return Relation({(i, i): c for i, c in a.entries.items()})

    def domain(self, a: Relation) -> EventSet:
        acc: dict[int, list[Cond]] = defaultdict(list)
        for (i, j), c in a.entries.items():
            acc[i].append(and_(c, self.executes[j]))
        return EventSet({i: or_(cs) for i, cs in acc.items()})

    def range(self, a: Relation) -> EventSet:
        acc: dict[int, list[Cond]] = defaultdict(list)
        for (i, j), c in a.entries.items():
            acc[j].append(and_(c, self.executes[i]))
        return EventSet({j: or_(cs) for j, cs in acc.items()})

    def reflexive(self, a: Relation) -> Relation:
        return self.union(a, Relation({(e, e): True for e in self.universe}))

    # -- transitive closure
    def plus(self, a: Relation, mode: str = "exact") -> Relation:
        """r+: static closure when r is static; otherwise terms over the may-graph.

        `mode` says what the caller needs of a closure over a cyclic may-graph: "pos" where
        the result only has to be at least the closure (it sits where the constraint wants it
        small: the solver then picks the least), "neg" at most the closure, "exact" both.
        """
        if not a.entries:
            return a
        succ = a.successors()
        if a.is_static() and all(self.executes[k] is True for k in succ):
            return Relation({k: True for k in _static_closure(succ)})
        self.closed = True
        components = strongly_connected(succ)
        if all(len(c) == 1 and (c[0], c[0]) not in a.entries for c in components):
            return self._plus_acyclic(succ, components)
        if self.determined:
            return self._plus_warshall(a, succ)
        return self._plus_fixpoint(a, succ, mode)

    def _plus_acyclic(self, succ, components) -> Relation:
        # The may-graph is a DAG: t(i,j) = r(i,j) | OR_k r(i,k) & exec(k) & t(k,j) has a unique
        # solution, built bottom-up (components come in reverse topological order).
        t: dict[int, dict[int, Cond]] = {}
        for (node,) in components:
            row: dict[int, list[Cond]] = defaultdict(list)
            for k, c in succ.get(node, ()):
                row[k].append(c)
                mid = self.executes[k]
                for j, ckj in t.get(k, {}).items():
                    row[j].append(and_(c, mid, ckj))
            t[node] = {j: or_(cs) for j, cs in row.items()}
            self.spend(len(row))
        return Relation({(i, j): c for i, row in t.items() for j, c in row.items() if c is not False})

    def _plus_warshall(self, a: Relation, succ) -> Relation:
        # Warshall: after step k, t(i,j) holds when a path from i to j has its middle events
        # among the first k (and they execute). Exact, and a term of the execution alone.
        # An entry keeps its disjuncts in a list, made one Or only when a step reads it (into
        # or out of its middle) and at the end: a chain of binary Ors, one per step that adds
        # a path, was half the terms of a closure (and of the CNF made from them).
        t: dict[int, dict[int, list[Cond]]] = {}
        for (i, j), c in a.entries.items():
            t.setdefault(i, {})[j] = [c]
        for k in sorted({j for outs in succ.values() for j, _ in outs} & set(succ)):
            row_k = t.get(k, {})
            out = {j: _one_or(row_k, j) for j in row_k}
            through = self.executes[k]
            into_k = [(row, _one_or(row, k)) for row in t.values() if k in row]
            self.spend(len(into_k) * len(out))  # the terms this step builds
            for row, into in into_k:
                for j, ckj in out.items():
                    path = and_(into, through, ckj)
                    if path is False:
                        continue
                    paths = row.get(j)
                    if paths is None:
                        row[j] = [path]
                    else:
                        paths.append(path)
        closed = {(i, j): or_(paths) for i, row in t.items() for j, paths in row.items()}
        return Relation({key: c for key, c in closed.items() if c is not False})

    def _plus_fixpoint(self, a: Relation, succ, mode: str) -> Relation:
        # Cyclic may-graph: fresh t_ij. "pos": closed upward (t >= r | r;t). "neg": each true
        # t_ij justified by a direct edge or a step to a pair of strictly smaller rank
        # (t <= least fixpoint). "exact": both. Ranks are needed only for the upper bound.
        self.spend(len(a.entries))  # before the may-closure, which costs as much again
        may = _static_closure(succ)
        # one term per pair of the may-closure and step out of its source, twice when exact
        row = defaultdict(int)
        for i, _ in may:
            row[i] += 1
        self.spend(sum(n * (1 + len(succ.get(i, ()))) for i, n in row.items()) * (2 if mode == "exact" else 1))
        self._fresh += 1
        tag = self._fresh
        t = {(i, j): z3.Bool(f"tc{tag}_{i}_{j}") for (i, j) in may}
        rank = {(i, j): z3.Int(f"tcr{tag}_{i}_{j}") for (i, j) in may} if mode != "pos" else {}
        for (i, j), tij in t.items():
            direct = a.entries.get((i, j), False)
            steps, ranked = [], []
            for k, c in succ.get(i, ()):
                if (k, j) in t:
                    step = and_(c, self.executes[k], t[(k, j)])
                    steps.append(step)
                    if rank:
                        ranked.append(and_(step, rank[(k, j)] < rank[(i, j)]))
            if mode != "neg":
                self.side_constraints.append(mk_implies(to_z3(or_([direct, *steps])), tij))
            if mode != "pos":
                self.side_constraints.append(mk_implies(tij, to_z3(or_([direct, *ranked]))))
        return Relation(dict(t))

    def fresh_relation(self, keys: Iterable[tuple[int, int]], name: str) -> Relation:
        self._fresh += 1
        return Relation({(i, j): z3.Bool(f"{name}{self._fresh}_{i}_{j}") for (i, j) in keys})

    def fresh_set(self, keys: Iterable[int], name: str) -> EventSet:
        self._fresh += 1
        return EventSet({i: z3.Bool(f"{name}{self._fresh}_{i}") for i in keys})


def _static_closure(succ: Mapping[int, list[tuple[int, Cond]]]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for start in succ:
        seen: set[int] = set()
        stack = [j for j, _ in succ[start]]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack.extend(j for j, _ in succ.get(n, ()))
        pairs.update((start, j) for j in seen)
    return pairs


def strongly_connected(succ: Mapping[int, list[tuple[int, Cond]]]) -> list[list[int]]:
    """Tarjan's SCCs, iteratively; components come out in reverse topological order."""
    nodes = set(succ)
    for outs in succ.values():
        nodes.update(j for j, _ in outs)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for j, _ in it:
                if j not in index:
                    index[j] = low[j] = counter
                    counter += 1
                    stack.append(j)
                    on_stack.add(j)
                    work.append((j, iter(succ.get(j, ()))))
                    advanced = True
                    break
                if j in on_stack:
                    low[node] = min(low[node], index[j])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    n = stack.pop()
                    on_stack.discard(n)
                    comp.append(n)
                    if n == node:
                        break
                result.append(comp)
    return result

"""Cat values on one traced execution: which entries hold, and why.

The lazy consistency engine (engine/lazy.py) lets the solver propose an execution and runs the
model's checks on it concretely. Each entry of a traced value carries a `Why`: the z3 terms,
true in this execution, that make it hold (an rf literal, a coherence order, an event's guard).
A check that fails yields violations — a cycle, a reflexive pair, an element — and a violation's
Why, flattened, is the conjunction the solver must never make true again: the conflict names
only the edges of the cycle found, and no closure is ever built as terms.

A reason is mostly needed for what holds. An absence is used by `\\` and `~` alone: of an exact
right-hand side (membership fixed once the key's events execute: tags, po, id ...) it needs no
reason; of a base value (rf, co, a tag under a branch) it is the negation of the literal; of a
value built from those it is worked out from its operands, only for the keys a subtraction asks
about (`_Because`: herd's lock.cat subtracts co;co from its coherence order, a closure). A value
whose absences nothing explains (fresh variables) raises NotTraceable, and the engine encodes
that check eagerly instead.
"""

from __future__ import annotations

import functools
from collections import deque
from typing import Any

from litmus.cat import ast
from litmus.cat.interp import EMPTY, CheckOutcome, Env, Interpreter, Thunk, _default_check_name, _keys
from litmus.cat.relations import (
    Algebra,
    Cond,
    EventSet,
    Relation,
    Why,
    and_,
    strongly_connected,
)

# violations reported per check and execution: each is one conflict for the solver
MAX_VIOLATIONS = 32


class NotTraceable(Exception):
    """This value's truth would rest on an absence the trace cannot explain."""

    def __init__(self, message: str, check: int | None = None) -> None:
        super().__init__(message)
        self.check = check


class PathWhy(Why):
    """Why (i, j) is in a closure: a shortest path of the underlying relation, found only when
    this entry ends up in a violation."""

    __slots__ = ("paths", "i", "j")

    def __init__(self, paths: "_Paths", i: int, j: int) -> None:
        self.paths, self.i, self.j = paths, i, j

    @property  # type: ignore[override]
    def parts(self) -> tuple:
        return self.paths.path(self.i, self.j)


class SeqWhy(Why):
    """Why (i, j) is in a;b: a middle event k with (i, k) in a and (k, j) in b, found only when
    this entry ends up in a violation (the one whose reasons are fewest). `middles`: the
    operands, shared by every entry of the composition (millions of these per run)."""

    __slots__ = ("middles", "i", "j")

    def __init__(self, middles: "_Middles", i: int, j: int) -> None:
        self.middles, self.i, self.j = middles, i, j

    @property  # type: ignore[override]
    def parts(self) -> tuple:
        right, executes = self.middles.right, self.middles.executes
        best = None
        for k, c1 in self.middles.outs(self.i):
            c2 = right.get((k, self.j))
            if c2 is None:
                continue
            parts = tuple(p for p in (c1, executes[k], c2) if p is not True)
            if best is None or len(parts) < len(best):
                best = parts
                if not parts:
                    break
        return best


class _Middles:
    """The operands of a composition a;b, for SeqWhy: a's successors are listed only once an
    entry is explained (few are: those in a violation)."""

    __slots__ = ("left", "right", "executes", "_succ")

    def __init__(self, left: Relation, right: Relation, executes) -> None:  # type: ignore[no-untyped-def]
        self.left, self.right, self.executes = left, right.entries, executes
        self._succ: dict | None = None

    def outs(self, i: int) -> list:
        if self._succ is None:
            self._succ = self.left.successors()
        return self._succ.get(i, [])


class _Paths:
    """The edges of one relation, for shortest paths on demand (BFS trees cached per source)."""

    def __init__(self, succ: dict[int, list[tuple[int, Cond]]], executes) -> None:  # type: ignore[no-untyped-def]
        self.succ, self.executes = succ, executes
        self.trees: dict[int, dict[int, tuple[int, Cond]]] = {}

    def path(self, i: int, j: int) -> tuple:
        tree = self.trees.get(i)
        if tree is None:
            tree = {}
            queue = deque([i])
            while queue:
                node = queue.popleft()
                for nxt, c in self.succ.get(node, ()):
                    if nxt not in tree:
                        tree[nxt] = (node, c)
                        queue.append(nxt)
            self.trees[i] = tree
        parts: list = []
        node = j
        while True:
            prev, c = tree[node]
            parts.append(c)
            if prev == i:
                break
            parts.append(self.executes[prev])  # a middle event must execute
            node = prev
        return tuple(p for p in parts if p is not True)


def flatten(reasons: list[Cond]) -> list:
    """The z3 terms a list of reasons rests on, each once."""
    out: list = []
    seen: set[int] = set()
    visited: set[int] = set()
    stack = list(reasons)
    while stack:
        r = stack.pop()
        if r is True:
            continue
        if isinstance(r, Why):
            if id(r) in visited:
                continue
            visited.add(id(r))
            stack.extend(r.parts)
            continue
        key = r.get_id()
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _reach(succ: dict[int, list[tuple[int, Cond]]]) -> dict[int, int]:
    """Per node, the nodes reachable in one or more steps, as a bitset over `order`."""
    comps = strongly_connected(succ)  # sinks first
    comp_of = {n: k for k, comp in enumerate(comps) for n in comp}
    reach_comp: list[int] = []
    for k, comp in enumerate(comps):
        bits = 0
        members = 0
        for n in comp:
            members |= 1 << n
        cyclic = len(comp) > 1
        for n in comp:
            for j, _ in succ.get(n, ()):
                if comp_of[j] == k:
                    cyclic = True
                else:
                    bits |= (1 << j) | reach_comp[comp_of[j]]
        reach_comp.append(bits | members if cyclic else bits)
    return {n: reach_comp[comp_of[n]] for n in succ}


class _FlowAbsent(dict):
    """The `absent` of a value that depends only on which events execute (po;[F];po with F
    under a branch): any absent key stays absent while the events that do not execute stay so."""

    def __init__(self, why: Cond) -> None:
        super().__init__()
        self.why = why

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        return self.why


class _DiffAbsent(dict):
    """The `absent` of a difference a \\ b whose b depends on the execution. A key of both
    is absent because it is in b, for b's reason (RMW \\ domain(rmw): a successful RMW's read
    is absent because its write executes, which is no matter of control flow: the events that
    do not execute may stay so while it fails); any other key is absent as it is from a
    (`outer`: a's absent, None when a is exact)."""

    def __init__(self, inside: dict, outer) -> None:  # type: ignore[no-untyped-def]
        super().__init__(inside)
        self.outer = outer

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        if key in self:
            return self[key]
        return None if self.outer is None else self.outer.get(key)


class _Because(dict):
    """The `absent` of a value an operator built from operands that can say why a key is not in
    them: `why_not(key)` works it out from theirs, once per key asked (a subtraction asks about
    the keys of its left side only). None: no reason is needed."""

    def __init__(self, why_not) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.why_not = why_not

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        if key in self:
            return self[key]
        why = self[key] = self.why_not(key)
        return why


def _absence(value, key) -> Cond | None:  # type: ignore[no-untyped-def]
    """Why `key` (whose events execute) is not in `value` on this execution; None when that needs
    no reason (an exact value, or a key absent from every execution)."""
    if value.exact:
        return None
    if value.absent is None:
        raise NotTraceable("subtracting a value that depends on the execution")
    why = value.absent.get(key)
    return None if why is True else why


def _held(c: Cond) -> Cond | None:
    """A reason an entry holds, as an absence's (True: none needed)."""
    return None if c is True else c


def _all_of(reasons) -> Cond | None:  # type: ignore[no-untyped-def]
    parts = tuple(r for r in reasons if r is not None and r is not True)
    return Why(parts) if parts else None


def _filtered(entries: dict, keep: dict, side: int) -> dict:
    """The entries whose event on `side` (0: first, 1: second) is in `keep`, each with that
    event's reason added: a filter [S];r or r;[S]. A run on a zone-locked test filters
    millions of entries, hence and_ spelled out (every condition here is True or a Why)."""
    out = {}
    for key, c in entries.items():
        k = keep.get(key[side])
        if k is None:
            continue
        if k is True:
            out[key] = c
        elif c is True:
            out[key] = k
        else:
            out[key] = Why((k, c) if side == 0 else (c, k))
    return out


class TracedAlgebra(Algebra):
    """The algebra on one execution: entries that hold, each with a Why (or True when it holds
    as soon as its events execute); `exact` values are those whose membership is fixed once
    their events execute, and only they may be subtracted."""

    def __init__(self, universe: list[int], executes, idle: Cond) -> None:  # type: ignore[no-untyped-def]
        super().__init__(universe, executes)
        # why the events that do not execute here do not (True: they all execute here); only
        # when every event executes whatever the execution do compositions of exact values stay
        # exact: no middle can come or go. (Every event executing here is not enough: a middle
        # under a branch, or a store-exclusive's write, would then explain nothing of itself.)
        self.unconditional = idle is True and all(c is True for c in executes.values())
        self.flow = _FlowAbsent(idle)
        self.idle = None if idle is True else idle  # (a reason: events that may be middles elsewhere)

    def _derived(self, values, through_middles: bool, why_not=None) -> dict:  # type: ignore[no-untyped-def]
        """How a value built from `values` knows its absences: exact (they need no reason),
        by control flow (the non-executing events stay so), worked out from its operands' by
        `why_not` (when each of them can say), or not at all."""
        if all(v.exact for v in values) and (self.unconditional or not through_middles):
            return {"exact": True}
        if all(v.exact or v.absent is self.flow for v in values):
            return {"absent": self.flow}
        if why_not is not None and all(v.exact or v.absent is not None for v in values):
            return {"absent": _Because(why_not)}
        return {}

    def _difference(self, a, b) -> dict:  # type: ignore[no-untyped-def]
        """`_derived` of a \\ b: when b depends on the execution, the keys of both are absent
        for b's reasons, not by control flow (_DiffAbsent); a key of a \\ b is absent from a,
        or in b."""
        derived = self._derived((a, b), False)
        if "exact" in derived or (b.exact and "absent" in derived):
            return derived
        if "absent" in derived:
            inside = {k: b.entries[k] for k in a.entries if k in b.entries}
            return {"absent": _DiffAbsent(inside, None if a.exact else a.absent)}
        if a.exact or a.absent is not None:
            return {"absent": _Because(lambda k: _absence(a, k) if k not in a.entries else _held(b.entries[k]))}
        return {}

    def _either(self, a, b, split):  # type: ignore[no-untyped-def]
        """`why_not` of a value with a key when both operands have theirs (a & b, a * b):
        the first operand's reason when it lacks its part, else the second's."""
        def why_not(key):  # type: ignore[no-untyped-def]
            first, second = split(key)
            return _absence(a, first) if first not in a.entries else _absence(b, second)
        return why_not

    def _both(self, a, b):  # type: ignore[no-untyped-def]
        """`why_not` of a | b: absent from both."""
        return lambda key: _all_of((_absence(a, key), _absence(b, key)))

    def _seq_absence(self, a: Relation, b: Relation, key: tuple[int, int]) -> Cond | None:
        """Why (i, j) is not in a;b: per middle event k, the half of (i, k), (k, j) that is
        missing; and, where events do not execute here, that they stay so (they could be
        middles)."""
        i, j = key
        parts = [self.idle]
        for k in self.universe:
            if (i, k) in a.entries:
                if (k, j) in b.entries:
                    raise NotTraceable("a key asked about is in the composition")
                parts.append(_absence(b, (k, j)))
                continue
            if (k, j) not in b.entries and _absence(b, (k, j)) is None:
                continue  # (k, j) is not in b, whatever the execution
            parts.append(_absence(a, (i, k)))
        return _all_of(parts)

    def _ends_absence(self, a: Relation, event: int, side: int) -> Cond | None:
        """Why `event` is not in domain(a) (side 0) or range(a) (side 1): no pair of a has it there."""
        pairs = ((event, e) if side == 0 else (e, event) for e in self.universe)
        return _all_of([self.idle, *(_absence(a, pair) for pair in pairs)])

    def _plus_absence(self, a: Relation, reach: dict[int, int], cuts: dict, key: tuple[int, int]) -> Cond | None:
        """Why (i, j) is not in a+: the edges of a missing from what i reaches (or i) to what
        it does not, and that the events not executing here stay so. That reason is the same
        for every j i does not reach: one per i (`cuts`), shared by the lemmas that use it
        (herd's lock.cat asks it of its coherence closure for each pair and middle event)."""
        i, _ = key
        if i in cuts:
            return cuts[i]
        reached = reach.get(i, 0)
        parts = [self.idle]
        for u in [i] + [n for n in self.universe if reached >> n & 1]:
            for v in self.universe:
                if not reached >> v & 1 and (u, v) not in a.entries:
                    parts.append(_absence(a, (u, v)))
        why = cuts[i] = _all_of(parts)
        return why

    @staticmethod
    def _subtract(a, b) -> dict:  # type: ignore[no-untyped-def]
        """a's entries not in b, each with why it is not in b too when that depends on the
        execution (b a base value that knows why its keys are absent)."""
        out = {}
        absent = b.absent
        for k, c in a.entries.items():
            if k in b.entries:
                continue
            if b.exact:
                out[k] = c
            elif absent is not None:  # a base value, or one that follows the control flow
                why = absent.get(k)
                out[k] = c if why is None else and_(c, why)
            else:
                raise NotTraceable("subtracting a value that depends on the execution")
        return out

    # -- sets
    def set_union(self, a: EventSet, b: EventSet) -> EventSet:
        return EventSet(super().set_union(a, b).entries, **self._derived((a, b), False, self._both(a, b)))

    def set_inter(self, a: EventSet, b: EventSet) -> EventSet:
        why_not = self._either(a, b, lambda e: (e, e))
        return EventSet(super().set_inter(a, b).entries, **self._derived((a, b), False, why_not))

    def set_diff(self, a: EventSet, b: EventSet) -> EventSet:
        return EventSet(self._subtract(a, b), **self._difference(a, b))

    # -- relations
    def union(self, a: Relation, b: Relation) -> Relation:
        return Relation(super().union(a, b).entries, **self._derived((a, b), False, self._both(a, b)))

    def inter(self, a: Relation, b: Relation) -> Relation:
        why_not = self._either(a, b, lambda k: (k, k))
        return Relation(super().inter(a, b).entries, **self._derived((a, b), False, why_not))

    def diff(self, a: Relation, b: Relation) -> Relation:
        return Relation(self._subtract(a, b), **self._difference(a, b))

    def seq(self, a: Relation, b: Relation) -> Relation:
        derived = self._derived((a, b), True, lambda key: self._seq_absence(a, b, key))
        # [S] ; r and r ; [S] (the models' filters, [Marked] and the like) just keep entries
        if all(i == j for i, j in a.entries):
            return Relation(_filtered(b.entries, self._filter(a), 0), **derived)
        if all(i == j for i, j in b.entries):
            return Relation(_filtered(a.entries, self._filter(b), 1), **derived)
        # rows as bitsets; each entry's middle is looked for only if it is ever explained
        exact = derived.get("exact", False)
        rows: dict[int, int] = {}
        for k, j in b.entries:
            rows[k] = rows.get(k, 0) | (1 << j)
        reached: dict[int, int] = {}  # per first event, the bits of the events a;b reaches
        for i, k in a.entries:
            row = rows.get(k)
            if row:
                reached[i] = reached.get(i, 0) | row
        static = exact or (a.is_static() and b.is_static() and all(self.executes[k] is True for k in rows))
        middles = _Middles(a, b, self.executes)
        entries: dict[tuple[int, int], Cond] = {}
        for i, bits in reached.items():
            while bits:
                low = bits & -bits
                j = low.bit_length() - 1
                bits ^= low
                entries[(i, j)] = True if static else SeqWhy(middles, i, j)
        self.spend(len(entries))
        return Relation(entries, **derived)

    def _filter(self, s: Relation) -> dict[int, Cond]:
        """[S] as a filter: each event of S with why it is in S and executes."""
        executes = self.executes
        return {i: and_(c, executes[i]) for (i, _), c in s.entries.items()}

    def seq_within(self, a: Relation, b: Relation, keys) -> Relation:  # type: ignore[no-untyped-def]
        derived = self._derived((a, b), True, lambda key: self._seq_absence(a, b, key))
        return Relation(super().seq_within(a, b, keys).entries, **derived)

    def _mapped(self, a, back) -> dict:  # type: ignore[no-untyped-def]
        """`_derived` of a value whose keys are a's renamed (inverse, identity): `back` gives a
        key's name in a (None: a key no renamed one becomes, absent from every execution)."""
        if a.exact or a.absent is None or a.absent is self.flow:
            return self._derived((a,), False)
        return {"absent": _Because(lambda key: None if back(key) is None else _absence(a, back(key)))}

    def inverse(self, a: Relation) -> Relation:
        return Relation(super().inverse(a).entries, **self._mapped(a, lambda k: (k[1], k[0])))

    def product(self, a: EventSet, b: EventSet) -> Relation:
        return Relation(super().product(a, b).entries, **self._derived((a, b), False, self._either(a, b, lambda k: k)))

    def identity(self, a: EventSet) -> Relation:
        return Relation(super().identity(a).entries, **self._mapped(a, lambda k: k[0] if k[0] == k[1] else None))

    def domain(self, a: Relation) -> EventSet:
        return EventSet(super().domain(a).entries, **self._derived((a,), True, lambda e: self._ends_absence(a, e, 0)))

    def range(self, a: Relation) -> EventSet:
        return EventSet(super().range(a).entries, **self._derived((a,), True, lambda e: self._ends_absence(a, e, 1)))

    def reflexive(self, a: Relation) -> Relation:
        # (a key asked about is not (e, e): every such key is in a?)
        return Relation(super().reflexive(a).entries, **self._derived((a,), False, lambda key: _absence(a, key)))

    def plus(self, a: Relation, mode: str = "exact") -> Relation:
        if not a.entries:
            return a
        succ = a.successors()
        reach = _reach(succ)
        derived = self._derived((a,), True, functools.partial(self._plus_absence, a, reach, {}))
        exact = derived.get("exact", False)
        paths = _Paths(succ, self.executes)
        static = exact or (a.is_static() and all(self.executes[n] is True for n in succ))
        entries: dict[tuple[int, int], Cond] = {}
        for i, bits in reach.items():
            while bits:
                low = bits & -bits
                j = low.bit_length() - 1
                bits ^= low
                entries[(i, j)] = True if static else PathWhy(paths, i, j)
        self.spend(len(entries))
        return Relation(entries, **derived)

    def fresh_relation(self, keys, name: str) -> Relation:  # type: ignore[no-untyped-def]
        raise NotTraceable("fresh variables on a traced execution")

    def fresh_set(self, keys, name: str) -> EventSet:  # type: ignore[no-untyped-def]
        raise NotTraceable("fresh variables on a traced execution")


class _KeptThunk(Thunk):
    """A top-level `let` whose value, when exact, is kept for the next run on the same events."""

    __slots__ = ("key", "kept")

    def __init__(self, thunk: Thunk, key: tuple[int, str], kept: dict) -> None:  # type: ignore[type-arg]
        super().__init__(thunk.expr, thunk.env, thunk.interp)
        self.key, self.kept = key, kept

    def compute(self) -> Any:
        value = self.kept.get(self.key)
        if value is None:
            value = super().compute()
            if getattr(value, "exact", False):
                self.kept[self.key] = value
        return value


class TracedInterpreter(Interpreter):
    """Runs a model on a traced execution, evaluating only the checks in `wanted` (by index in
    the model's order of checks); each of those records its violations' reasons (an empty list:
    the check holds).

    `kept`: values of the model's top-level `let`s from earlier runs on the same executed events,
    where exact (every entry fixed once its events execute: a function of those events alone,
    as po and the tags are). A run on a lock-heavy test recomputes most of its model otherwise."""

    wanted: frozenset[int] = frozenset()
    violated = False  # enough violations found: the checks left are not judged on this run
    found = 0
    kept: dict | None = None  # type: ignore[type-arg]
    _top_level = True

    def stmt(self, stmt: ast.Stmt, env: Env) -> Env:
        # statements nested in a procedure, forall, match or if are not top level (a procedure's
        # `let` has a value per call); those of a file included at top level are
        top = self._top_level
        self._top_level = top and isinstance(stmt, ast.Include)
        try:
            new = super().stmt(stmt, env)
        finally:
            self._top_level = top
        if top and self.kept is not None and isinstance(stmt, ast.Let) and not stmt.rec:
            for name, value in new.vars.items():
                if type(value) is Thunk:
                    new.vars[name] = _KeptThunk(value, (id(stmt), name), self.kept)
        return new

    def check(self, stmt: ast.Check, env: Env) -> None:
        index = len(self.checks)
        name = stmt.name or _default_check_name(stmt)
        if index not in self.wanted or stmt.flag or self.violated:
            # not judged here: no violations to report
            self.checks.append(CheckOutcome(name, stmt.test, stmt.flag, [], None, stmt.negated, stmt.span))
            return
        if stmt.negated:
            raise NotTraceable("a negated check", index)
        try:
            with self.polarity("pos"):
                value = self.eval(stmt.expr, env)
            if stmt.test in ("acyclic", "irreflexive"):
                value = self.as_relation(value, stmt.expr)
            elif not isinstance(value, (EventSet, Relation)):
                value = self.as_relation(value, stmt.expr)
        except NotTraceable as err:
            raise NotTraceable(str(err), index) from None
        found = violations(stmt.test, value, self.alg.executes)
        # once a run has found enough violations it ends: their lemmas, then the solver again
        # (the later checks are judged on the next execution; one is accepted only when all
        # hold). A check with few violations lets the next one add its own.
        self.found += len(found)
        self.violated = self.found >= MAX_VIOLATIONS
        self.checks.append(CheckOutcome(name, stmt.test, stmt.flag, found, value, stmt.negated, stmt.span))

    def fixpoint(self, bindings: tuple[ast.Binding, ...], env: Env) -> dict[str, Any]:
        """On one execution a `let rec` is plain iteration until nothing changes."""
        values: dict[str, Any] = {b.name: EMPTY for b in bindings}
        for _round in range(10_000):
            new = dict(values)
            round_env = Env(new, env)
            for b in bindings:
                new[b.name] = self.binding_value(b, round_env)
            if _round and all(self.same(new[n], values[n]) for n in new):
                return new
            values = new
        raise self.error("recursive definition does not converge", bindings[0].span)

    @staticmethod
    def same(a: Any, b: Any) -> bool:
        """Whether a `let rec` round left a value as it was (the same keys)."""
        return _keys(a) == _keys(b)

    def merge(self, cond: Cond, a: Any, b: Any, span) -> Any:  # type: ignore[no-untyped-def]
        if cond is True or cond is False:
            return super().merge(cond, a, b, span)
        raise NotTraceable("a value chosen by a condition of the execution")

    def value_set_op(self, op: str, left: Any, right: Any, expr: ast.Binop):  # type: ignore[no-untyped-def]
        items = self._value_items(left, expr.left) + self._value_items(right, expr.right)
        if any(c is not True for _, c in items):
            raise NotTraceable("sets of values that depend on the execution")
        return super().value_set_op(op, left, right, expr)


def violations(test: str, value: Relation | EventSet, executes) -> list[Why]:  # type: ignore[no-untyped-def]
    """Why `value` fails `test` (acyclic, irreflexive, empty), one reason per violation found."""
    out: list[Why] = []
    if test == "empty":
        for key, c in value.entries.items():
            events = key if isinstance(key, tuple) else (key,)
            out.append(Why((c, *(executes[e] for e in events))))
            if len(out) >= MAX_VIOLATIONS:
                break
        return out
    if test == "irreflexive":
        for (i, j), c in value.entries.items():
            if i == j:
                out.append(Why((c, executes[i])))
                if len(out) >= MAX_VIOLATIONS:
                    break
        return out
    succ = value.successors()
    seen: set[frozenset] = set()
    for comp in strongly_connected(succ):
        members = set(comp)
        if len(comp) == 1:
            node = comp[0]
            loop = value.entries.get((node, node))
            if loop is not None:
                out.append(Why((loop, executes[node])))
            continue
        # a shortest cycle through each of several events: distinct cycles are distinct
        # lemmas, and one round of the solver learns them all
        for start in sorted(comp):
            nodes, why = _shortest_cycle(start, members, succ, executes)
            if nodes not in seen:
                seen.add(nodes)
                out.append(why)
            if len(out) >= MAX_VIOLATIONS:
                return out
    return out[:MAX_VIOLATIONS]


def _shortest_cycle(start: int, members: set[int], succ, executes) -> tuple[frozenset, Why]:  # type: ignore[no-untyped-def]
    """A shortest cycle through `start` inside its strongly connected component: its edges, and
    why it is there."""
    parent: dict[int, tuple[int, Cond]] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt, c in succ.get(node, ()):
            if nxt not in members or nxt in parent:
                continue
            parent[nxt] = (node, c)
            if nxt == start:
                queue.clear()
                break
            queue.append(nxt)
    parts: list[Cond] = []
    edges = []
    node = start
    while True:
        prev, c = parent[node]
        parts += [c, executes[node]]
        edges.append((prev, node))
        node = prev
        if node == start:
            break
    return frozenset(edges), Why(tuple(p for p in parts if p is not True) or (True,))


__all__ = ["NotTraceable", "TracedAlgebra", "TracedInterpreter", "flatten", "violations"]

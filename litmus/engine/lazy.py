"""Lazy consistency: the checks too dense to encode are checked on each execution the solver
proposes, and only the cycle found goes back to it.

Consistency as a theory (Haas et al., "CAAT", OOPSLA 2022), as a loop of lemmas around the
solver rather than a propagator inside its search:

* While the problem is built, each check of the model is encoded within a budget of terms
  (`BUDGET`, counted by the algebra's compositions and closures). A check that runs past it is
  deferred: its axiom literal is asserted by nothing. The
  small checks (coherence, atomicity, and every check of a small test) stay eager.
* `TestChecker._check` asks the solver; on an answer it runs the model on that execution for
  the deferred checks among the assumptions: first on bitsets (cat/bits.py; the model compiled
  once for those runs, cat/bitplan.py), which only says whether they hold, then, if one fails,
  traced (cat/traced.py). Each violation gives a
  lemma, axiom -> not (the terms its cycle rests on), and the solver is asked again. An
  execution with no violation is consistent.
* A check whose trace would rest on an absence it cannot explain (NotTraceable) is encoded
  eagerly after all, then and there.

Lemmas hold of every execution: the solver keeps them across the checker's push and pop
(`LearningSolver`), so the enumeration of executions and the explanations reuse them.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import operator
import weakref
from collections.abc import Iterator
from typing import Any

import z3

from litmus.cat.interp import CheckOutcome, Env, FunV, Interpreter, RecThunk, Thunk, _default_check_name
from litmus.cat import ast as cat_ast
from litmus.cat.bits import BitAlgebra, BitInterpreter, BitRel, BitSet, Violated, as_bits
from litmus.cat.bits import Unsupported as NotBitwise
from litmus.cat.bitplan import BitPlan, compile_bits
from litmus.cat.relations import (
    Algebra,
    Cond,
    EventSet,
    OverBudget,
    PackedBools,
    Relation,
    Why,
    WhyNot,
    eval_bools,
    eval_ints,
    mk_not,
    mk_or,
    to_z3,
)
from litmus.cat.traced import NotTraceable, TracedAlgebra, TracedInterpreter, flatten
from litmus.engine.encode import SymbolicExecution, _BaseRelations, tag_matches
from litmus.engine.model import ModelSpec, run_model
from litmus.errors import LitmusError
from litmus.lower.events import Event

# Terms (compositions, closure entries) a check may build before it is deferred; a zone-locked
# pageblock test's happens-before runs to millions. What a deferred check built is thrown
# away, and a deferred check costs a bit run per execution proposed: at 20,000 paulmck-dev
# took 64 s in table format, at 5,000 37 s, at 500 a fifth less again (its RCU rings and
# chains: the solver's problem without their closures is smaller, and a bit run is cheaper than
# the clauses it saves). At 0, tests too small to defer anything pay a bit run per execution
# (the kernel's 47 under sc, tso, arm: a third slower). Measured in bench/README.md, "Lazy
# consistency", "Critical sections" and session 16's section.
BUDGET = 500
SMALL_BUDGET_DIVISOR = 10  # see BudgetedInterpreter.check
# Terms a flag may build before it is deferred. A flag says whether some execution raises it,
# asked once per test: it is deferred only where its encoding is huge (LKMM's data-race flag
# over plain accesses under locks and RCU: 334,000 terms, 1.3 s to build, and the solver's
# problem twice as slow after), and then asked of the executions the solver proposes
# (checker.TestChecker._raised_lazily)
FLAG_BUDGET = 20_000


class BudgetedInterpreter(Interpreter):
    """The symbolic interpreter, deferring each non-flag check that runs past the budget."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.deferred: dict[int, tuple[cat_ast.Check, Env]] = {}
        self.deferred_flags: dict[int, tuple[cat_ast.Check, Env]] = {}

    def check(self, stmt: cat_ast.Check, env: Env) -> None:
        if stmt.flag:
            return self._flag(stmt, env)
        if stmt.negated:
            return super().check(stmt, env)
        index = len(self.checks)
        closes = _closes(stmt.expr, env, set())
        # A closure to build in a test dense enough to have deferred a check already: a tenth
        # of the budget, enough for a check that comes to nothing (plain-coherence without
        # plain accesses); one that gets as far as its closure runs past a budget too and had
        # built a whole budget's worth for nothing (LKMM's propagation and rcu after
        # happens-before: 105 of a zone-locked test's 250 ms)
        size = BUDGET // SMALL_BUDGET_DIVISOR if self.deferred and closes else BUDGET
        self.alg.budget, self.alg.budget_size = self.alg.work + size, size
        # once one check is deferred the test is a dense one: the later checks get no
        # allowance for flat work either (they would mostly redo what the first one began);
        # nor does a check whose definitions close over something (hb's cumul-fence*): its
        # flat parts are only the start, and a zone-locked test built 244,000 terms of them
        # before the closure deferred it
        self.alg.closed = bool(self.deferred) or closes
        try:
            super().check(stmt, env)
        except OverBudget:
            # What it built stays: definitions it completed are cached, and their fresh
            # variables need their side constraints; half-built ones only constrain variables
            # nothing else mentions.
            self._defer(index, stmt, env)
        finally:
            self.alg.budget = None

    def _flag(self, stmt: cat_ast.Check, env: Env) -> None:
        """A flag, deferred past FLAG_BUDGET terms (what it built stays, as a check's does)."""
        index = len(self.checks)
        self.alg.budget, self.alg.budget_size = self.alg.work + FLAG_BUDGET, FLAG_BUDGET
        self.alg.closed = False
        try:
            super().check(stmt, env)
        except OverBudget:
            self.deferred_flags[index] = (stmt, env)
            name = stmt.name or _default_check_name(stmt)
            self.checks.append(CheckOutcome(name, stmt.test, True, False, None, stmt.negated, stmt.span, lazy=True))
        finally:
            self.alg.budget = None

    def _defer(self, index: int, stmt: cat_ast.Check, env: Env) -> None:
        self.deferred[index] = (stmt, env)
        name = stmt.name or _default_check_name(stmt)
        self.checks.append(CheckOutcome(name, stmt.test, False, True, None, False, stmt.span, lazy=True))

    def encode(self, index: int) -> tuple[Cond, list[z3.BoolRef]]:
        """A deferred check (or flag) encoded after all: its condition (a flag's: it is
        raised), and the definitions it needs."""
        stmt, env = self.deferred.pop(index) if index in self.deferred else self.deferred_flags.pop(index)
        mark = len(self.alg.side_constraints)
        Interpreter.check(self, stmt, env)
        outcome = self.checks.pop()
        return outcome.holds, self.alg.side_constraints[mark:]


def _closes(expr: Any, env: Env, seen: set[int]) -> bool:
    """Whether evaluating `expr` may build a closure (`r+`, `r*`, a `let rec`), through the
    definitions it names that are not computed yet."""
    if isinstance(expr, cat_ast.Unop) and expr.op in ("+", "*"):
        return True
    if isinstance(expr, cat_ast.Var):
        scope = env.scope(expr.name)
        value = None if scope is None else scope.vars[expr.name]
        if isinstance(value, RecThunk):
            return True
        if isinstance(value, Thunk) and value.pending() and id(value) not in seen:
            seen.add(id(value))
            return _closes(value.expr, value.env, seen)
        if isinstance(value, FunV) and id(value) not in seen:
            seen.add(id(value))
            return _closes(value.body, value.env, seen)
        return False
    if dataclasses.is_dataclass(expr):
        for f in dataclasses.fields(expr):
            part = getattr(expr, f.name)
            parts = part if isinstance(part, tuple) else (part,)
            if any(dataclasses.is_dataclass(p) and _closes(p, env, seen) for p in parts):
                return True
    return False


class AtOnce:
    """The terms every run on an execution reads (the events' guards, the conditions of rf, co
    and the final writes), read at once: most as one packed evaluation, and the comparisons of
    two integer clocks (coherence) from the clocks' values, each read once (a zone-locked test
    with 150 clocks compares them in 1,544 terms of its 3,056: 6.5 ms a packed read)."""

    def __init__(self, terms: dict[int, z3.BoolRef]) -> None:
        self.ids = list(terms)
        clocks: dict[int, int] = {}  # a clock's id -> its place in self.clocks
        self.clocks: list[z3.ArithRef] = []
        self.compared: list[tuple[int, int, int]] = []  # (term id, clock before, clock after)
        packed: dict[int, z3.BoolRef] = {}
        for key, term in terms.items():
            if z3.is_lt(term) and all(_is_int_constant(x) for x in term.children()):
                places = []
                for clock in term.children():
                    place = clocks.setdefault(clock.get_id(), len(clocks))
                    if place == len(self.clocks):
                        self.clocks.append(clock)
                    places.append(place)
                self.compared.append((key, places[0], places[1]))
            else:
                packed[key] = term
        self.packed, self.packed_ids = PackedBools(list(packed.values())), list(packed)

    def read(self, model: z3.ModelRef) -> dict[int, bool]:
        """The terms' values in `model`, by id."""
        truth = dict(zip(self.packed_ids, self.packed.read(model)))
        if self.compared:
            ticks = eval_ints(model, self.clocks)
            for key, before, after in self.compared:
                truth[key] = ticks[before] < ticks[after]
        return truth


def _is_int_constant(term: z3.ExprRef) -> bool:
    return z3.is_int(term) and z3.is_const(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED


# per problem: its AtOnce
_READ_AT_ONCE: weakref.WeakKeyDictionary[SymbolicExecution, AtOnce] = weakref.WeakKeyDictionary()


def _read_at_once(symbolic: SymbolicExecution) -> AtOnce:
    """The terms every run on an execution of `symbolic` reads, ready to be read at once."""
    found = _READ_AT_ONCE.get(symbolic)
    if found is None:
        terms: dict[int, z3.BoolRef] = {}
        for c in itertools.chain(
            (e.guard for e in symbolic.events), symbolic.base["rf"].entries.values(),
            symbolic.co.values(), symbolic.base["FW"].entries.values(),
        ):  # fmt: skip
            if c is not True and c is not False:
                terms.setdefault(c.get_id(), c)
        found = _READ_AT_ONCE[symbolic] = AtOnce(terms)
    return found


# per problem, per relation's entries: each entry with its condition's id (z3's get_id is a
# Python wrapper around a C call, 2.6 us: a tenth of a bit run when asked per pair of co)
_ENTRY_IDS: weakref.WeakKeyDictionary[SymbolicExecution, dict[int, tuple[dict, list]]] = weakref.WeakKeyDictionary()


def _with_ids(symbolic: SymbolicExecution, entries: dict[Any, Cond]) -> list[tuple[Any, Cond, int | None]]:
    """`entries` (of a relation of `symbolic`, kept as long as it is) as (key, condition, the
    condition's id or None when it is True or False)."""
    by_relation = _ENTRY_IDS.setdefault(symbolic, {})
    found = by_relation.get(id(entries))
    if found is None:  # (the entries kept beside their list: their id names no other while it is)
        listed = [(k, c, None if c is True or c is False else c.get_id()) for k, c in entries.items()]
        found = by_relation[id(entries)] = (entries, listed)
    return found[1]


# per problem, per relation's entries: their pairs grouped by condition (never False)
_BY_CONDITION: weakref.WeakKeyDictionary[SymbolicExecution, dict[int, tuple[dict, list]]] = weakref.WeakKeyDictionary()


def _by_condition(symbolic: SymbolicExecution,
                  entries: dict[Any, Cond]) -> list[tuple[Cond, int | None, list[tuple[int, int]]]]:  # fmt: skip
    """`entries` (of a relation of `symbolic`, kept as long as it is) as (condition, its id or
    None when it is True, its pairs), one per distinct condition, those never holding left out."""
    by_relation = _BY_CONDITION.setdefault(symbolic, {})
    found = by_relation.get(id(entries))
    if found is None:  # (the entries kept beside their list: their id names no other while it is)
        groups: dict[int | None, tuple[Cond, int | None, list[tuple[int, int]]]] = {}
        for (i, j), c in entries.items():
            if c is not False:
                cid = None if c is True else c.get_id()
                groups.setdefault(cid, (c, cid, []))[2].append((i, j))
        found = by_relation[id(entries)] = (entries, list(groups.values()))
    return found[1]


class TracedExecution(_BaseRelations):
    """One execution read off a z3 model, every entry with the terms that make it hold."""

    symbolic = False

    def __init__(self, symbolic: SymbolicExecution, model: z3.ModelRef,
                 kept: "KeptValues | None" = None) -> None:  # fmt: skip
        """`kept`: static values of earlier runs, by the events they executed."""
        self.program = symbolic.program
        self.events = symbolic.events
        self.known_tags = symbolic.known_tags
        self._model = model
        self._symbolic = symbolic
        self._truth: dict[int, bool] = _read_at_once(symbolic).read(model)  # what holds() asks below
        executed = [e.id for e in self.events if self.holds(e.guard)]
        present = set(executed)
        self._present = present
        self.algebra = self._algebra(executed)
        self.kept = kept.on(present) if kept is not None else {}
        fixed = self.kept.get("base")
        if fixed is None:
            fixed = self.kept["base"] = {
                name: self._fixed(value)
                for name, value in {**self._static_sets(), **self._static_relations()}.items()
            }  # fmt: skip
        base: dict[str, Any] = dict(fixed)
        for name in ("loc", "rf"):
            base[name] = self.traced(symbolic.base[name])
        base["co"] = self._co(symbolic)
        base["FW"] = self._final_writes(symbolic.base["FW"].entries)
        self.base = base
        self._choices = iter(symbolic.choices)

    def _algebra(self, executed: list[int]) -> Algebra:
        executes = {e: self.reason(self.events[e].guard) for e in executed}
        idle = [mk_not(e.guard) for e in self.events if e.id not in self._present]
        return TracedAlgebra(executed, executes, Why(tuple(idle)) if idle else True)

    @staticmethod
    def _fixed(value: EventSet | Relation) -> EventSet | Relation:
        """A static base value (every entry True): fixed once its events execute."""
        return type(value)(value.entries, exact=True)

    def _final_writes(self, fw: dict[int, Cond]) -> EventSet:
        present = self._present
        return EventSet(
            {e: self.reason(c) for e, c in fw.items() if e in present and self.holds(c)},
            absent={e: self.unless(c) for e, c in fw.items() if e in present and not self.holds(c)},
        )  # fmt: skip

    def _learn(self, terms: list) -> None:
        """Read many terms' values at once (through z3's C API)."""
        new = [t for t in terms if t is not True and t.get_id() not in self._truth]
        for t, v in zip(new, eval_bools(self._model, new)):
            self._truth[t.get_id()] = v

    def holds(self, c: Cond) -> bool:
        if c is True or c is False:
            return c
        key = c.get_id()
        if key not in self._truth:
            self._learn([c])
        return self._truth[key]

    def _entries(self, entries: dict[Any, Cond]) -> Iterator[tuple[Any, Cond, bool]]:
        """A base relation's entries between executed events (a symbolic relation's, kept by
        the problem): key, condition, whether it holds here."""
        present, truth = self._present, self._truth
        listed = _with_ids(self._symbolic, entries)
        unread = [c for (i, j), c, cid in listed if cid is not None and cid not in truth]
        if unread:
            self._learn(unread)
        for key, c, cid in listed:
            if key[0] in present and key[1] in present:
                yield key, c, (c if cid is None else truth[cid])

    @staticmethod
    def reason(c: Cond) -> Cond:
        """Why a condition true in this execution holds."""
        return True if c is True else Why((c,))

    @staticmethod
    def unless(c: Cond) -> Cond:
        """Why a condition false in this execution does not hold."""
        return WhyNot(c)

    def traced(self, rel: Relation) -> Relation:
        """A symbolic base relation on this execution; a static one (loc, with fixed addresses:
        n^2 entries) is kept for the next run on the same events."""
        kept = self.kept.get(("static", id(rel)))
        if kept is not None:
            return kept
        value = self._trace(rel)
        if value.exact:
            self.kept[("static", id(rel))] = value
        return value

    def _trace(self, rel: Relation) -> Relation:
        entries, absent = {}, {}
        for k, c, holds in self._entries(rel.entries):
            if holds:
                entries[k] = self.reason(c)
            else:
                absent[k] = self.unless(c)
        return Relation(entries, exact=rel.is_static(), absent=absent)

    def _co(self, symbolic: SymbolicExecution) -> Relation:
        out: dict[tuple[int, int], Cond] = {}
        absent: dict[tuple[int, int], Cond] = {}
        for pair, c, holds in self._entries(symbolic.co):
            if holds:
                out[pair] = self.reason(c)
            else:
                absent[pair] = self.unless(c)
        return Relation(out, absent=absent)

    choice_reads_source = False

    def choose(self, source: Any) -> Relation:
        """What the solver chose for this `with` (the constraints made it an element)."""
        return self.traced(next(self._choices))

    def tag_condition(self, event: Event, name: str) -> Cond:
        c = super().tag_condition(event, name)
        if c is True or c is False:
            return c
        return self.reason(c) if self.holds(c) else False

    def tag_set(self, name: str) -> EventSet | None:
        always, sometimes, known = _tag_parts(self._symbolic, name, self.known_tags)
        entries: dict[int, Cond] = {}
        absent: dict[int, Cond] = {}
        for e in self.algebra.universe:
            if always >> e & 1:
                entries[e] = True
            elif e in sometimes:
                c = sometimes[e]
                if self.holds(c):
                    entries[e] = self.reason(c)
                else:
                    absent[e] = self.unless(c)
        if not entries and not known:
            return None
        return EventSet(entries, exact=True) if not sometimes else EventSet(entries, absent=absent)

    def _differ(self, a: z3.BitVecRef, b: z3.BitVecRef) -> Cond:
        term = a != b
        return Why((term,)) if self.holds(term) else False


class BitExecution(TracedExecution):
    """One execution read off a z3 model as bitsets, no reasons kept (cat/bits.py): whether
    the deferred checks hold, about six times cheaper than a traced run."""

    def _algebra(self, executed: list[int]) -> Algebra:
        return BitAlgebra(executed)

    @staticmethod
    def _fixed(value: EventSet | Relation) -> EventSet | Relation:
        return as_bits(value, exact=True)

    @staticmethod
    def reason(c: Cond) -> Cond:
        return True

    def _trace(self, rel: Relation) -> Relation:
        return BitRel(self._rows(rel.entries), exact=rel.is_static())

    def _co(self, symbolic: SymbolicExecution) -> Relation:
        return BitRel(self._rows(symbolic.co))

    def _rows(self, entries: dict[Any, Cond]) -> dict[int, int]:
        """A base relation's entries that hold here, between executed events, as rows: its
        pairs grouped by condition once per problem, each condition then asked once (a lock
        word's coherence: 570 pairs, 132 conditions)."""
        truth, present = self._truth, self._present
        groups = _by_condition(self._symbolic, entries)
        unread = [c for c, cid, _ in groups if cid is not None and cid not in truth]
        if unread:
            self._learn(unread)
        rows: dict[int, int] = {}
        for _, cid, pairs in groups:
            if cid is not None and not truth[cid]:
                continue
            for i, j in pairs:
                if i in present and j in present:
                    rows[i] = rows.get(i, 0) | (1 << j)
        return rows

    def _final_writes(self, fw: dict[int, Cond]) -> EventSet:
        return BitSet(sum(1 << e for e, c in fw.items() if e in self._present and self.holds(c)))

    def tag_set(self, name: str) -> EventSet | None:
        always, sometimes, known = _tag_parts(self._symbolic, name, self.known_tags)
        present = self.__dict__.get("_present_bits")
        if present is None:
            present = self._present_bits = sum(1 << e for e in self._present)
        bits = always & present
        for e, c in sometimes.items():
            if e in self._present and self.holds(c):
                bits |= 1 << e
        if not bits and not known:
            return None
        return BitSet(bits, exact=not sometimes)

    def _differ(self, a: z3.BitVecRef, b: z3.BitVecRef) -> Cond:
        return self.holds(a != b)


# per problem: per tag name and known tags, the events that always carry it (bits), those that
# carry it when a condition holds (each with that condition), and whether a known tag names it
_TAG_PARTS: weakref.WeakKeyDictionary[SymbolicExecution, dict] = weakref.WeakKeyDictionary()  # type: ignore[type-arg]


def _tag_parts(symbolic: SymbolicExecution, name: str,
               known_tags: frozenset[str]) -> tuple[int, dict[int, z3.BoolRef], bool]:  # fmt: skip
    """A run's tag set in parts fixed per problem (asking each event's tags in every run was a
    tenth of a zone-locked test's bit runs)."""
    by_name = _TAG_PARTS.setdefault(symbolic, {})
    found = by_name.get((name, known_tags))
    if found is None:
        always, sometimes = 0, {}
        for e in symbolic.events:
            c = _BaseRelations.tag_condition(symbolic, e, name)
            if c is True:
                always |= 1 << e.id
            elif c is not False:
                sometimes[e.id] = c
        known = any(tag_matches(t, name) for t in known_tags)
        found = by_name[(name, known_tags)] = (always, sometimes, known)
    return found


class KeptValues:
    """What traced runs keep for the next run that executes the same events: the static base
    relations and the exact values of the model's top-level definitions (a few event sets at
    most: a test with branches executes different ones in different executions)."""

    LIMIT = 8

    def __init__(self) -> None:
        self._by_events: dict[frozenset[int], dict[Any, Any]] = {}

    def on(self, present: set[int]) -> dict[Any, Any]:
        key = frozenset(present)
        found = self._by_events.pop(key, None)
        if found is None:
            found = {}
            if len(self._by_events) >= self.LIMIT:
                del self._by_events[next(iter(self._by_events))]  # the least recently used
        self._by_events[key] = found
        return found


def _without_cycle_collection(run):  # type: ignore[no-untyped-def]
    """`run` with Python's cyclic garbage collector paused. A run on an execution makes
    millions of short-lived objects (reasons, entries), which reference counting frees; the
    collections they trigger (the full ones walk every long-lived object, the problem's z3
    terms included) were half of a zone-locked test's time (race locked, full overlap, N=7:
    traced runs 12 s -> 5.9 s). The few cycles a run leaves (the interpreter's environments)
    go at the next collection."""

    @functools.wraps(run)
    def paused(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not gc.isenabled():
            return run(*args, **kwargs)
        gc.disable()
        try:
            return run(*args, **kwargs)
        finally:
            gc.enable()

    return paused


class LazyChecks:
    """The deferred checks of one checker: their axiom literals, and the conflicts of an execution."""

    def __init__(self, spec: ModelSpec, execution: SymbolicExecution, interp: BudgetedInterpreter,
                 axioms: dict[int, z3.BoolRef]) -> None:  # fmt: skip
        self.spec, self.execution, self.interp = spec, execution, interp
        self.axioms = axioms  # check index -> its axiom literal
        self.rounds = 0  # executions checked
        self.lemmas = 0
        self.kept = KeptValues()
        # A run on bits answers first (consistent or not), and only a violation is traced for
        # its lemmas. While the solver is still learning, most executions it proposes violate
        # a check: after a round with lemmas the next goes straight to the traced run, as long
        # as most such executions have violated one (a bit run costs about a third of a traced
        # one: first is cheaper below two in three). Enumerating to count, most are consistent.
        self.after_lemmas = False  # the last round learned lemmas
        self.judged_after_lemmas, self.violated_after_lemmas = 1, 1  # counted from a prior of one violation
        self.kept_bits = KeptValues()  # the bit runs' own: their values are bits
        self.bitwise = True  # False once the model needs what bit runs cannot do
        # the model last run on, and the values of the terms that run read (by id): the
        # enumeration reads the execution's key from them (key_reader)
        self.judged: tuple[z3.ModelRef, dict[int, bool]] | None = None

    def consistent(self, model: z3.ModelRef, active: frozenset[int]) -> bool | None:
        """Whether the active deferred checks all hold on `model`, from a run on bits; None when
        that run cannot say (the traced run will)."""
        execution = BitExecution(self.execution, model, self.kept_bits)
        self.judged = (model, execution._truth)
        try:
            plan = bit_plan(self.spec)
            if plan is not None and plan.covers(active):
                plan.run(execution, wanted=active)
            else:
                run_model(self.spec, execution, _judging(BitInterpreter, active)).release()
        except Violated:
            return False
        except (NotBitwise, NotTraceable, LitmusError):
            self.bitwise = False
            return None
        return True

    def key_reader(self, parts: list[list[Any]]):  # type: ignore[no-untyped-def]
        """For an execution key given as conjunctions (`execution_key_parts`): a function from
        a model to the key's values, read off the last run on that model, or None when the
        model was not run on. None when some part is not a term every run reads."""
        read = set(_read_at_once(self.execution).ids)
        conjuncts: list[list[int] | None] = []  # per key its parts' ids; None: always false
        for conds in parts:
            if any(c is False for c in conds):
                conjuncts.append(None)
                continue
            terms = [c.get_id() for c in conds if c is not True]
            if not read.issuperset(terms):
                return None
            conjuncts.append(terms)

        ids = [terms[0] for terms in conjuncts if terms]
        if len(ids) > 1 and all(terms is None or len(terms) <= 1 for terms in conjuncts):
            # each key one term (an rf choice, a coherence pair) or none: the terms read in one
            # C loop (a zone-locked test blocks each execution on hundreds of keys)
            read_all = operator.itemgetter(*ids)
            fixed = [None if terms else terms is not None for terms in conjuncts]  # None: read

            def single_values(model: z3.ModelRef) -> list[bool] | None:
                if self.judged is None or self.judged[0] is not model:
                    return None
                read = iter(read_all(self.judged[1]))
                return [next(read) if f is None else f for f in fixed]

            return single_values

        def values(model: z3.ModelRef) -> list[bool] | None:
            if self.judged is None or self.judged[0] is not model:
                return None
            truth = self.judged[1]
            return [terms is not None and all(truth[t] for t in terms) for terms in conjuncts]

        return values

    def active(self, assumptions: list[z3.BoolRef]) -> frozenset[int]:
        ids = {a.get_id() for a in assumptions}
        return frozenset(k for k, lit in self.axioms.items() if lit.get_id() in ids)

    @_without_cycle_collection
    def conflicts(self, model: z3.ModelRef, active: frozenset[int]) -> list[z3.BoolRef]:
        """Lemmas from the violations of the active deferred checks on `model` (none: it is
        consistent). NotTraceable when a check cannot be traced."""
        self.rounds += 1
        after_lemmas, self.after_lemmas = self.after_lemmas, False
        bits_first = not after_lemmas or 3 * self.violated_after_lemmas < 2 * self.judged_after_lemmas
        if self.bitwise and bits_first and self.consistent(model, active):
            self.judged_after_lemmas += after_lemmas
            return []
        execution = TracedExecution(self.execution, model, self.kept)
        self.judged = (model, execution._truth)
        try:
            run = run_model(self.spec, execution, _judging(TracedInterpreter, active))
        except LitmusError as err:  # what the eager encoding would say properly
            raise NotTraceable(str(err)) from None
        lemmas = []
        for index in sorted(active):
            outcome = run.checks[index]
            for why in outcome.holds:
                terms = flatten([why])
                lemmas.append(mk_or([mk_not(self.axioms[index]), *(mk_not(t) for t in terms)]))
        run.release()
        self.lemmas += len(lemmas)
        self.after_lemmas = bool(lemmas)
        self.judged_after_lemmas += after_lemmas
        self.violated_after_lemmas += after_lemmas and bool(lemmas)
        return lemmas

    def encode(self, index: int) -> list[z3.BoolRef]:
        """Deferred check `index` encoded eagerly: the clauses to add."""
        holds, side = self.interp.encode(index)
        literal = self.axioms.pop(index)
        return [z3.Implies(literal, to_z3(holds)), *side]


def raised_flags(spec: ModelSpec, execution: SymbolicExecution, model: z3.ModelRef, flags: frozenset[int],
                 kept: KeptValues) -> frozenset[int] | None:  # fmt: skip
    """The flags among `flags` (by index among the model's checks) that `model`'s execution
    raises, from a run on bits (`kept`: its store across runs); None when that run cannot say."""

    def interpreter(base, loader, variants):  # type: ignore[no-untyped-def]
        interp = BitInterpreter(base, loader, variants)
        interp.flags, interp.raised, interp.kept = flags, set(), base.kept
        return interp

    try:
        plan = bit_plan(spec)
        if plan is not None and plan.covers(flags):
            return frozenset(plan.run(BitExecution(execution, model, kept), flags=flags))
        run = run_model(spec, BitExecution(execution, model, kept), interpreter)
    except (NotBitwise, NotTraceable, LitmusError):
        return None
    raised = frozenset(run.raised)
    run.release()
    return raised


# per model, by id while it lives (a server's uploaded models come and go): its plan for runs
# on bits, or None when the interpreter runs it
_PLANS: dict[int, tuple[weakref.ref, BitPlan | None]] = {}
USE_PLANS = True  # False: every run on bits by the interpreter (to measure the two side by side)


def bit_plan(spec: ModelSpec) -> BitPlan | None:
    """`spec` compiled once for runs on bits (cat/bitplan.py); None where it cannot be."""
    if not USE_PLANS:
        return None
    found = _PLANS.get(id(spec))
    if found is None or found[0]() is not spec:
        models = [spec.stdlib, *([spec.bell] if spec.bell is not None else []), spec.model]
        found = _PLANS[id(spec)] = (weakref.ref(spec), compile_bits(models, spec.loader, spec.variants))
        weakref.finalize(spec, _PLANS.pop, id(spec), None)
    return found[1]


def _judging(kind: type[TracedInterpreter], active: frozenset[int]):  # type: ignore[no-untyped-def]
    """run_model's interpreter factory for a traced or bit run: it judges the `active` deferred
    checks only, and keeps exact values in the execution's store."""

    def interpreter(base, loader, variants):  # type: ignore[no-untyped-def]
        interp = kind(base, loader, variants)
        interp.wanted = active
        interp.kept = base.kept
        return interp

    return interpreter


class LearningSolver:
    """A z3 solver that keeps what it learns (lemmas, checks encoded late) across pop: they
    hold of every execution, whatever scope they were learned in."""

    def __init__(self, solver: z3.Solver) -> None:
        self._solver = solver
        self._learned: list[list[Any]] = []  # [clause, scope level it is asserted at]

    def learn(self, clauses: list[z3.BoolRef]) -> None:
        level = self._solver.num_scopes()
        for clause in clauses:
            self._solver.add(clause)
            self._learned.append([clause, level])

    def pop(self, num: int = 1) -> None:
        self._solver.pop(num)
        level = self._solver.num_scopes()
        for item in self._learned:
            if item[1] > level:
                self._solver.add(item[0])
                item[1] = level

    def __getattr__(self, name: str) -> Any:
        return getattr(self._solver, name)

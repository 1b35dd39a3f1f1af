"""Staged interpreter for cat models.

Values are Python-static where the model only combines static facts (po, tags, fences,
dependencies) and z3-symbolic where they depend on the execution (rf, co, and what is built on
them). The same interpreter runs on a concrete execution (every condition True) to re-check
witnesses: a witness that fails its own model concretely is a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import z3

from litmus.cat import ast
from litmus.cat.choices import ChoiceError, CrossV, EventV, OrdersV, PairV, ValueSet
from litmus.errors import LitmusError, Span
from litmus.cat.relations import (
    Algebra, Cond, EventSet, Relation, and_, not_, or_, strongly_connected, to_z3,
)  # fmt: skip


class _Empty:
    """`0`: the empty set or relation, whichever its use asks for."""

    def __repr__(self) -> str:
        return "0"


EMPTY = _Empty()


class _Universe:
    """`~0`: every event or every pair of events, whichever its use asks for (herd's
    polymorphic universe: `r & ~0` is r, `S & ~0` is S)."""

    def __repr__(self) -> str:
        return "~0"


UNIVERSE = _Universe()


@dataclass(frozen=True)
class TagV:
    name: str


@dataclass(frozen=True)
class StrV:
    value: str


@dataclass(frozen=True)
class TupleV:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class FunV:
    params: tuple[str, ...]
    body: ast.Expr
    env: "Env"
    name: str = "<fun>"
    where: tuple[str | None, str | None] = (None, None)  # the model file it is written in


@dataclass(frozen=True)
class ProcV:
    """`procedure name(params) = stmts end`: checks run at each `call`."""

    name: str
    params: tuple[str, ...]
    body: tuple[Any, ...]
    env: "Env"
    rec: bool
    where: tuple[str | None, str | None]


@dataclass(frozen=True)
class Builtin:
    name: str
    fn: Callable[..., Any]


class Thunk:
    """A `let` binding not evaluated yet: most of a big model (data races, RCU) is never needed
    by a given test, so nothing is computed until a check reaches it."""

    __slots__ = ("expr", "env", "interp", "values", "busy", "where")

    def __init__(self, expr: ast.Expr, env: "Env", interp: "Interpreter") -> None:
        self.expr, self.env, self.interp = expr, env, interp
        self.values: dict[str, Any] = {}  # one value per polarity mode (see Interpreter.mode)
        self.busy = False
        self.where = interp.where()  # errors in it name its file, wherever it is forced

    # A value per polarity mode, computed once; `holder` keeps the cache (a let rec group
    # shares one), `compute` makes the value, `select` picks this thunk's part of it.
    LOOP = "definition refers to itself (use 'let rec')"

    def holder(self) -> "Thunk":
        return self

    def pending(self) -> bool:
        """Not computed yet, in any polarity mode."""
        return not self.holder().values

    def compute(self) -> Any:
        return self.interp.eval(self.expr, self.env)

    def select(self, value: Any) -> Any:
        return value

    def force(self) -> Any:
        holder, mode = self.holder(), self.interp.mode
        if mode not in holder.values:
            if holder.busy:
                raise self.interp.error(self.LOOP, self.expr.span)
            holder.busy = True
            saved, self.interp.may_only = self.interp.may_only, False  # a real value, cached
            try:
                with self.interp.in_file(holder.where):
                    holder.values[mode] = self.compute()
            finally:
                holder.busy = False
                self.interp.may_only = saved
        return self.select(holder.values[mode])


class RecThunk(Thunk):
    """One name of a `let rec` group not evaluated yet. The group's fixpoint is computed when a
    check first needs one of its names, in that check's polarity (see Interpreter.fixpoint: a
    positive use gets fresh variables closed under the body, far cheaper than unrolling)."""

    __slots__ = ("name", "group", "bindings")
    LOOP = "recursive definitions refer to each other's values"

    def __init__(self, name: str, group: "RecThunk | None", bindings, env: "Env", interp: "Interpreter") -> None:  # type: ignore[no-untyped-def]
        super().__init__(bindings[0].body, env, interp)
        self.name = name
        # the first thunk of a group holds the group's values; it does not name itself (a
        # cycle would keep a run's values from being freed until the cyclic collector came,
        # which then walked them: a fifth of a zone-locked test's enumeration)
        self.group = group
        self.bindings = bindings

    def holder(self) -> Thunk:
        return self.group or self

    def compute(self) -> Any:
        first = self.group or self
        return self.interp.fixpoint(first.bindings, first.env)

    def select(self, value: Any) -> Any:
        return value[self.name]


@dataclass
class Env:
    vars: dict[str, Any]
    parent: "Env | None" = None

    def scope(self, name: str) -> "Env | None":
        """The innermost environment that binds `name` (None: unbound)."""
        env: Env | None = self
        while env is not None and name not in env.vars:
            env = env.parent
        return env

    def lookup(self, name: str) -> Any:
        env = self.scope(name)
        if env is None:
            raise KeyError(name)
        value = env.vars[name]
        return value.force() if isinstance(value, Thunk) else value

    def child(self, bindings: dict[str, Any] | None = None) -> "Env":
        return Env(dict(bindings or {}), self)


class Base(Protocol):
    """What the interpreter needs of an execution (symbolic or concrete)."""

    algebra: Algebra
    symbolic: bool  # all executions at once (z3 terms), or one concrete execution

    def primitive(self, name: str) -> Any | None:
        """po, rf, co, loc, R, W ... or a tag set; None when the name means nothing here."""

    def values_differ(self, i: int, j: int) -> Cond:
        """When events i and j read or write different values."""

    # True when `removable` may find any
    construction_orders: bool
    # False when `choose` takes a choice already made (one execution the solver proposed):
    # a `with`'s source is then not evaluated
    choice_reads_source: bool

    def removable(self, members: list[int], succ: dict[int, list[tuple[int, Cond]]]) -> set[tuple[int, int]]:
        """Edges among `members` that no cycle needs, by how the encoding orders events."""


@dataclass
class CheckOutcome:
    """One check of the model, encoded: `holds` is a z3 Bool (or Python bool when static)."""

    name: str
    test: str
    flag: bool
    holds: Cond
    relation: Relation | EventSet | None = None
    negated: bool = False
    span: Span | None = None
    lazy: bool = False  # not encoded: checked on each proposed execution (engine/lazy.py)


class CatError(LitmusError):
    pass


ModelLoader = Callable[[str, "Span | None"], ast.Model]


@dataclass
class Interpreter:
    base: Base
    loader: ModelLoader
    variants: frozenset[str] = frozenset()
    checks: list[CheckOutcome] = field(default_factory=list)
    shows: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        self.alg = self.base.algebra
        self._clock = 0
        self.including: list[str] = []  # the files whose `include` is running: a cycle never ends
        # Polarity of what is being evaluated: "pos" where the enclosing check wants the value
        # small (under acyclic/irreflexive/empty), "neg" where it wants it large (under `\` or
        # `~`, or a flag asking for non-emptiness), "exact" where both matter. Fixpoints over
        # execution-dependent relations are encoded only as tightly as their polarity needs.
        self.mode = "exact"
        self.final_env: Env | None = None  # the model's definitions once it has run
        # While only may-keys are wanted (finding where a recursive definition can grow),
        # every name reads as its all-True stand-in: the rounds stay static Python sets.
        self.may_only = False

    @contextmanager
    def polarity(self, mode: str):  # type: ignore[no-untyped-def]
        saved = self.mode
        self.mode = mode
        try:
            yield
        finally:
            self.mode = saved

    def flipped(self):  # type: ignore[no-untyped-def]
        return self.polarity({"pos": "neg", "neg": "pos"}.get(self.mode, "exact"))

    # -- errors
    def error(self, message: str, span: Span | None) -> CatError:
        return CatError(message, self.path, span, self.source)

    # -- running models
    def where(self) -> tuple[str | None, str | None]:
        return (self.path, self.source)

    @contextmanager
    def in_file(self, where: tuple[str | None, str | None]):  # type: ignore[no-untyped-def]
        """Evaluate text of another model file (a definition forced or a function applied
        later): its errors must name that file."""
        saved = (self.path, self.source)
        self.path, self.source = where
        try:
            yield
        finally:
            self.path, self.source = saved

    def release(self) -> None:
        """Let go of the run's definitions once only its checks are wanted: their thunks name
        this interpreter, which names their environment, a cycle that keeps every value of the
        run alive until the cyclic collector walks them all (a lazy enumeration's traced runs:
        70,000 objects a run, a fifth of a zone-locked test's time)."""
        self.final_env = None
        self.shows.clear()

    def run_model(self, model: ast.Model, env: Env) -> Env:
        with self.in_file((model.path, model.source)):
            for stmt in model.stmts:
                env = self.stmt(stmt, env)
        return env

    def stmt(self, stmt: ast.Stmt, env: Env) -> Env:
        if isinstance(stmt, ast.Let):
            return self.let(stmt.bindings, stmt.rec, env)
        if isinstance(stmt, ast.Check):
            self.check(stmt, env)
            return env
        if isinstance(stmt, ast.Show):
            for expr, name in zip(stmt.exprs, stmt.names):  # evaluated only if displayed
                label = name if name is not None else expr.name if isinstance(expr, ast.Var) else None
                if label is None:
                    continue
                if stmt.unshow:
                    self.shows.pop(label, None)
                else:
                    self.shows[label] = Thunk(expr, env, self)
            return env
        if isinstance(stmt, ast.Include):
            try:
                included = self.loader(stmt.filename, stmt.span)
            except LitmusError as err:  # the include line is in this model file
                raise err.located(self.path, self.source)
            chain = [*self.including, self.path or "<input>"]
            if included.path in chain:
                names = " -> ".join(Path(p).name for p in (*chain[chain.index(included.path):], included.path))
                raise self.error(f"include cycle: {names}", stmt.span)
            self.including.append(self.path or "<input>")
            try:
                return self.run_model(included, env)
            finally:
                self.including.pop()
        if isinstance(stmt, ast.Enum):  # bell: the tags become event sets, even if no event has them
            self.base.declare_tags(stmt.tags)
            return env.child({stmt.name: ValueSet(tuple((TagV(t), True) for t in stmt.tags))})
        if isinstance(stmt, ast.Instructions):  # bell: which events may carry which tags
            return env
        if isinstance(stmt, ast.With):
            source = None
            if self.base.choice_reads_source:
                with self.polarity("exact"):
                    source = self.eval(stmt.source, env)
            try:
                chosen = self.base.choose(source)
            except ChoiceError as err:
                raise self.error(str(err), stmt.span) from None
            return env.child({stmt.name: chosen})
        if isinstance(stmt, ast.Procedure):
            proc = ProcV(stmt.name, stmt.params, stmt.body, env, stmt.rec, self.where())
            return env.child({stmt.name: proc})
        if isinstance(stmt, ast.CallProc):
            self.call(stmt, env)
            return env
        if isinstance(stmt, ast.MatchStmt):
            tag = self._tag(self.eval(stmt.expr, env), stmt.span)
            body = next((c.body for c in stmt.cases if c.tag == tag), stmt.default)
            if body is None:
                raise self.error(f"no case of this match for the tag '{tag}", stmt.span)
            for s in body:
                env = self.stmt(s, env)
            return env
        if isinstance(stmt, ast.Forall):
            for value in self._static_elements(self.eval(stmt.source, env), stmt.span):
                inner = env.child({stmt.name: value})
                for s in stmt.body:
                    inner = self.stmt(s, inner)
            return env
        if isinstance(stmt, ast.Debug):  # herd prints the value; it never changes a verdict
            return env
        if isinstance(stmt, ast.IfStmt):
            body = stmt.then if self.variant(stmt.cond) else stmt.orelse
            for s in body:
                env = self.stmt(s, env)
            return env
        kind = type(stmt).__name__.lower()
        raise self.error(f"'{kind}' statements are not supported yet", getattr(stmt, "span", None))

    def call(self, stmt: ast.CallProc, env: Env) -> None:
        """`call p(args) [as name]`: run p's statements; its checks take the name if given."""
        try:
            proc = env.lookup(stmt.name)
        except KeyError:
            proc = None
        if not isinstance(proc, ProcV):
            raise self.error(f"'{stmt.name}' is not a procedure", stmt.span)
        bindings = self._lazy_arguments(proc.params, stmt.arg, env)
        if bindings is None:
            raise self.error(f"{proc.name} expects {len(proc.params)} argument(s)", stmt.span)
        if proc.rec:
            bindings[proc.name] = proc
        first = len(self.checks)
        inner = proc.env.child(bindings)
        with self.in_file(proc.where):
            for s in proc.body:
                inner = self.stmt(s, inner)
        if stmt.as_name is not None:
            for k in range(first, len(self.checks)):
                self.checks[k] = replace(self.checks[k], name=stmt.as_name)

    def _tag(self, value: Any, span: Span | None) -> str:
        if not isinstance(value, TagV):
            raise self.error(f"match on tags: found {_describe(value)}", span)
        return value.name

    def _static_elements(self, values: Any, span: Span | None) -> list[Any]:
        """The elements of a set known before solving (the same in every execution)."""
        items = self.elements(values, span)
        if any(c is not True for _, c in items):
            raise self.error(
                "this set depends on the execution: matching on it or iterating over it is only "
                "supported for sets known statically (tags, static event sets)", span,
            )  # fmt: skip
        return [v for v, _ in sorted(items, key=lambda item: _order_key(item[0]))]

    def let(self, bindings: tuple[ast.Binding, ...], rec: bool, env: Env) -> Env:
        if not rec:
            values = {
                b.name: FunV(b.params, b.body, env, b.name, self.where()) if b.params is not None else Thunk(b.body, env, self)
                for b in bindings
            }
            return env.child(values)
        if all(b.params is not None for b in bindings):  # recursive functions: tie the knot
            new = env.child()
            for b in bindings:
                new.vars[b.name] = self.binding_value(b, new)
            return new
        first = RecThunk(bindings[0].name, None, bindings, env, self)
        thunks = {b.name: RecThunk(b.name, first, bindings, env, self) for b in bindings[1:]}
        return env.child({bindings[0].name: first, **thunks})

    def binding_value(self, b: ast.Binding, env: Env) -> Any:
        if b.params is not None:
            return FunV(b.params, b.body, env, b.name, self.where())
        return self.eval(b.body, env)

    def fixpoint(self, bindings: tuple[ast.Binding, ...], env: Env) -> dict[str, Any]:
        """Least fixpoint of `let rec` by Kleene iteration from the empty relation.

        Static values converge exactly. Symbolic ones: once the may-sets stop growing, every
        concrete execution reaches its least fixpoint within (number of may-pairs) more rounds,
        since each round that changes anything adds at least one pair.
        """
        values: dict[str, Any] = {b.name: EMPTY for b in bindings}
        names = {b.name for b in bindings}
        # On a concrete execution everything is static and plain iteration is exact.
        upward = (
            self.mode == "pos" and self.base.symbolic
            and not any(_negates(b.body, names) for b in bindings)
        )  # fmt: skip
        settle = None
        for _round in range(10_000):
            # Each binding sees the values just computed before it in this round (as herd does):
            # with `\` inside, the system is not monotone and the order of updates matters.
            new = dict(values)
            round_env = Env(new, env)  # shares `new`: later bindings see earlier updates
            for b in bindings:
                # Monotone in positive position, only the may-keys are needed before the fresh
                # variables take over: iterate on all-True stand-ins, which keep every key and
                # build no terms.
                saved, self.may_only = self.may_only, upward
                try:
                    value = self.binding_value(b, round_env)
                finally:
                    self.may_only = saved
                new[b.name] = _standin(value) if upward else value
            keys_now = {n: _keys(v) for n, v in new.items()}
            grown = keys_now != {n: _keys(v) for n, v in values.items()}
            static = not upward and all(_is_static(v) for v in new.values())
            if static and not grown:
                return new
            if upward and not grown:
                return self._upward_fixpoint(bindings, env, keys_now, new)
            if not static:
                if settle is None and not grown:
                    settle = sum(len(k) for k in keys_now.values()) + 1
                if settle is not None:
                    settle -= 1
                    if settle <= 0:
                        return new
            values = new
        raise self.error("recursive definition does not converge", bindings[0].span)

    def _upward_fixpoint(self, bindings, env: Env, keys: dict[str, frozenset], sample: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Monotone `let rec` in positive position: fresh variables closed under the body.

        The may-keys have stopped growing, so fresh variables over them can hold any
        solution of t >= F(t); the enclosing check wants t small, so the solver may as well
        pick the least fixpoint, and nothing is lost by not pinning it down exactly.
        """
        fresh: dict[str, Any] = {}
        for b in bindings:
            if isinstance(sample[b.name], Relation):
                fresh[b.name] = self.alg.fresh_relation(keys[b.name], "rec")
            elif isinstance(sample[b.name], EventSet):
                fresh[b.name] = self.alg.fresh_set(keys[b.name], "rec")
            else:
                fresh[b.name] = sample[b.name]
        body_env = Env(dict(fresh), env)
        for b in bindings:
            target = fresh[b.name]
            if not isinstance(target, (Relation, EventSet)):
                continue
            image = self.binding_value(b, body_env)
            for k, c in _entries(image).items():
                if k not in target.entries:
                    raise self.error("recursive definition grew past its may-set", b.span)
                self.alg.side_constraints.append(z3.Implies(to_z3(c), target.entries[k]))
        return fresh

    # -- checks
    def check(self, stmt: ast.Check, env: Env) -> None:
        with self.polarity("neg" if stmt.negated else "pos"):
            self._check(stmt, env)

    def _check(self, stmt: ast.Check, env: Env) -> None:
        value = self.eval(stmt.expr, env)
        name = stmt.name or _default_check_name(stmt)
        if stmt.test == "acyclic":
            rel = self.as_relation(value, stmt.expr)
            holds = self.acyclic(rel) if not (stmt.flag or stmt.negated) else self.acyclic_formula(rel)
        elif stmt.test == "irreflexive":
            rel = self.as_relation(value, stmt.expr)
            holds = self.irreflexive(rel)
        else:
            rel = value if isinstance(value, (EventSet, Relation)) else self.as_relation(value, stmt.expr)
            holds = self.empty(rel)
        if stmt.negated:
            holds = not_(holds)
        self.checks.append(CheckOutcome(name, stmt.test, stmt.flag, holds, rel, stmt.negated, stmt.span))

    def _exec_pair(self, i: int, j: int, c: Cond) -> Cond:
        ex = self.alg.executes
        return and_(ex[i], ex[j], c)

    def empty(self, value: Relation | EventSet) -> Cond:
        ex = self.alg.executes
        if isinstance(value, EventSet):
            return not_(or_(and_(ex[i], c) for i, c in value.entries.items()))
        return not_(or_(self._exec_pair(i, j, c) for (i, j), c in value.entries.items()))

    def irreflexive(self, rel: Relation) -> Cond:
        ex = self.alg.executes
        return not_(or_(and_(ex[i], c) for (i, j), c in rel.entries.items() if i == j))

    def acyclic(self, rel: Relation) -> Cond:
        """acyclic as clocks on the may-graph's cyclic components (existential: axioms only)."""
        if self.alg.determined:  # no clocks: the closure is a term of the execution
            return self.acyclic_formula(rel)
        rel = self._unordered(rel)
        succ = rel.successors()
        if rel.is_static() and all(c is True for c in self.alg.executes.values()):
            return not _has_cycle(succ)
        parts: list[Cond] = []
        self._clock += 1
        for comp in strongly_connected(succ):
            members = set(comp)
            if len(comp) == 1:
                node = comp[0]
                if (node, node) in rel.entries:
                    parts.append(not_(self._exec_pair(node, node, rel.entries[(node, node)])))
                continue
            clock = {n: z3.Int(f"clk{self._clock}_{n}") for n in comp}
            for i in comp:
                for j, c in succ.get(i, ()):
                    if j not in members:
                        continue
                    if i == j:
                        parts.append(not_(self._exec_pair(i, i, c)))
                        continue
                    edge = self._exec_pair(i, j, c)
                    parts.append(z3.Implies(to_z3(edge), clock[i] < clock[j]))
        return and_(*parts) if parts else True

    def acyclic_formula(self, rel: Relation) -> Cond:
        """acyclic as a plain formula (usable under negation): no r+ self-loop."""
        return self.irreflexive(self.alg.plus(self._unordered(rel), self.mode))

    def _unordered(self, rel: Relation) -> Relation:
        """`rel` without the edges inside the strongly connected parts of its may-graph that
        no cycle needs, by how the encoding orders events (a lock word's critical sections,
        engine/encode.py): they need no clocks or closure."""
        if not self.base.construction_orders:
            return rel
        succ = rel.successors()
        drop: set[tuple[int, int]] = set()
        for comp in strongly_connected(succ):
            if len(comp) > 1:
                drop |= self.base.removable(comp, succ)
        if not drop:
            return rel
        return Relation({k: c for k, c in rel.entries.items() if k not in drop})

    # -- expressions
    def eval(self, expr: ast.Expr, env: Env) -> Any:
        method = getattr(self, "_eval_" + type(expr).__name__)
        return method(expr, env)

    def _eval_Var(self, expr: ast.Var, env: Env) -> Any:
        try:
            value = env.lookup(expr.name)
        except KeyError:
            value = self.base.primitive(expr.name)
            if value is None:
                raise self.error(f"unbound name '{expr.name}'", expr.span) from None
        return _standin(value) if self.may_only else value

    def _eval_Tag(self, expr: ast.Tag, env: Env) -> Any:
        return TagV(expr.name)

    def _eval_Empty(self, expr: ast.Empty, env: Env) -> Any:
        return EMPTY

    def _eval_Universe(self, expr: ast.Universe, env: Env) -> Any:
        return EventSet({e: True for e in self.alg.universe}, exact=True)

    def _eval_StringLit(self, expr: ast.StringLit, env: Env) -> Any:
        return StrV(expr.value)

    def _eval_Tuple(self, expr: ast.Tuple, env: Env) -> Any:
        return TupleV(tuple(self.eval(e, env) for e in expr.items))

    def _eval_Fun(self, expr: ast.Fun, env: Env) -> Any:
        return FunV(expr.params, expr.body, env, where=self.where())

    def _eval_LetIn(self, expr: ast.LetIn, env: Env) -> Any:
        return self.eval(expr.body, self.let(expr.bindings, expr.rec, env))

    def _eval_IfExpr(self, expr: ast.IfExpr, env: Env) -> Any:
        return self.eval(expr.then if self.variant(expr.cond) else expr.orelse, env)

    def _eval_Try(self, expr: ast.Try, env: Env) -> Any:
        try:
            return self.eval(expr.expr, env)
        except CatError:
            return self.eval(expr.default, env)

    def _eval_SetLit(self, expr: ast.SetLit, env: Env) -> Any:
        if not expr.items:
            return EMPTY
        items = [self.eval(e, env) for e in expr.items]
        if all(isinstance(v, EventV) for v in items):
            return EventSet({v.id: True for v in items})
        if all(isinstance(v, PairV) for v in items):
            return Relation({v.pair: True for v in items})
        return ValueSet(tuple((v, True) for v in items))

    def add_element(self, item: Any, values: Any, span: Span | None) -> Any:
        """`item ++ values`: the set with one more element."""
        if isinstance(item, EventV) and (values is EMPTY or isinstance(values, EventSet)):
            entries = dict(values.entries) if isinstance(values, EventSet) else {}
            return EventSet({**entries, item.id: True})
        if isinstance(item, PairV) and (values is EMPTY or isinstance(values, Relation)):
            entries = dict(values.entries) if isinstance(values, Relation) else {}
            return Relation({**entries, item.pair: True})
        if values is EMPTY or isinstance(values, ValueSet):
            rest = values.items if isinstance(values, ValueSet) else ()
            return ValueSet(((item, True),) + rest)
        raise self.error(f"cannot add {_describe(item)} to {_describe(values)}", span)

    def elements(self, values: Any, span: Span | None) -> list[tuple[Any, Cond]]:
        """The elements of a set, event set or relation, each with the condition under which it
        is one (an event's includes that it executes)."""
        run = self.alg.executes
        if values is EMPTY:
            return []
        if isinstance(values, EventSet):
            return [(EventV(e), and_(c, run[e])) for e, c in values.entries.items()]
        if isinstance(values, Relation):
            return [(PairV((i, j)), and_(c, run[i], run[j])) for (i, j), c in values.entries.items()]
        if isinstance(values, ValueSet):
            return list(values.items)
        raise self.error(f"expected a set, found {_describe(values)}", span)

    def _eval_Match(self, expr: ast.Match, env: Env) -> Any:
        """`match` on a tag, or on a static set: `{}` and `x ++ rest` (x its least element)."""
        value = self.eval(expr.expr, env)
        if isinstance(value, TagV):
            for case in expr.cases:
                if case.kind == "tag" and case.names[0] == value.name:
                    return self.eval(case.body, env)
        else:
            items = sorted(self.elements(value, expr.span), key=lambda item: _order_key(item[0]))
            return self._match_set(expr, value, items, env, 0)
        if expr.default is not None:
            return self.eval(expr.default, env)
        raise self.error("no case of this match applies", expr.span)

    # how many elements present in some executions only one `match` may branch on
    MATCH_BRANCHES = 10

    def _match_set(self, expr: ast.Match, value: Any, items: list[tuple[Any, Cond]], env: Env, depth: int) -> Any:
        """`{} -> a || x ++ rest -> b` on a set whose elements may be present in some executions
        only (events under a branch, pairs of an execution-dependent relation): x is the least
        element present; an element present under a condition c splits the match into the value
        with it (under c) and the value without it (under not c), merged entry by entry."""
        items = [(v, c) for v, c in items if c is not False]
        for case in expr.cases:
            if case.kind == "split":
                raise self.error("the pattern `a | x ++ b` is not supported", case.span)
        if not items:
            body = next((case.body for case in expr.cases if case.kind == "empty"), expr.default)
            if body is None:
                raise self.error("no case of this match applies", expr.span)
            return self.eval(body, env)
        first, cond = items[0]
        rest = self._set_without(value, first)
        cons = next((case for case in expr.cases if case.kind == "cons"), None)
        if cons is None and expr.default is None:
            raise self.error("no case of this match applies", expr.span)

        def with_first() -> Any:
            if cons is None:
                return self.eval(expr.default, env)
            return self.eval(cons.body, env.child(dict(zip(cons.names, (first, rest)))))

        if cond is True:
            return with_first()
        if depth >= self.MATCH_BRANCHES:
            raise self.error(
                f"this match would branch on more than {self.MATCH_BRANCHES} elements that are "
                "present in some executions only", expr.span,
            )  # fmt: skip
        present = with_first()
        absent = self._match_set(expr, rest, items[1:], env, depth + 1)
        return self.merge(cond, present, absent, expr.span)

    def merge(self, cond: Cond, a: Any, b: Any, span: Span | None) -> Any:
        """The value that is `a` in the executions where `cond` holds and `b` elsewhere."""
        if cond is True:
            return a
        if cond is False:
            return b
        if self.same_value(a, b) is True:
            return a
        ex = self.alg.executes
        if all(x is EMPTY or isinstance(x, Relation) for x in (a, b)) or all(
            x is EMPTY or isinstance(x, EventSet) for x in (a, b)
        ):
            ea, eb = _entries(a), _entries(b)
            out: dict[Any, Cond] = {}
            for k in list(ea) + [k for k in eb if k not in ea]:
                run = and_(*(ex[e] for e in (k if isinstance(k, tuple) else (k,))))
                # entries hold when their events execute: `cond` is taken within that
                c = or_([and_(run, cond, ea.get(k, False)), and_(run, not_(cond), eb.get(k, False))])
                if c is not False:
                    out[k] = c
            kind = Relation if isinstance(a, Relation) or isinstance(b, Relation) else EventSet
            return kind(out)
        if all(x is EMPTY or isinstance(x, ValueSet) for x in (a, b)):
            left = a.items if isinstance(a, ValueSet) else ()
            right = b.items if isinstance(b, ValueSet) else ()
            merged = [(v, and_(cond, c)) for v, c in left] + [(v, and_(not_(cond), c)) for v, c in right]
            return ValueSet(tuple((v, c) for v, c in merged if c is not False))
        if isinstance(a, TupleV) and isinstance(b, TupleV) and len(a.items) == len(b.items):
            return TupleV(tuple(self.merge(cond, x, y, span) for x, y in zip(a.items, b.items)))
        raise self.error(
            f"this value depends on the execution in a way that cannot be represented "
            f"({_describe(a)} or {_describe(b)})", span,
        )  # fmt: skip

    @staticmethod
    def _set_without(values: Any, item: Any) -> Any:
        if isinstance(values, EventSet):
            return EventSet({e: c for e, c in values.entries.items() if e != item.id})
        if isinstance(values, Relation):
            return Relation({k: c for k, c in values.entries.items() if k != item.pair})
        if isinstance(values, ValueSet):
            return ValueSet(tuple((v, c) for v, c in values.items if v is not item))
        return values

    def _eval_App(self, expr: ast.App, env: Env) -> Any:
        try:
            fn = self.eval(expr.fn, env)
            if isinstance(fn, FunV):
                bindings = self._lazy_arguments(fn.params, expr.arg, env)
                if bindings is not None:
                    return self._run_body(fn, bindings)
            return self.apply(fn, self.eval(expr.arg, env), expr.span)
        except RecursionError:  # a function that calls itself for ever (`let rec f x = f x`)
            raise self.error("calls nested too deeply: a recursive function that never stops?", expr.span) from None

    def _lazy_arguments(self, params: tuple[str, ...], arg: ast.Expr, env: Env) -> dict[str, Any] | None:
        """Parameters bound to unevaluated arguments: the body forces each in the polarity it
        uses it (a parameter on the right of a difference is wanted large), and not at all if
        it never needs it. None when the number of arguments does not match (`()` is none)."""
        items = arg.items if isinstance(arg, ast.Tuple) else (arg,)
        if len(items) != len(params):
            return None
        return {p: Thunk(item, env, self) for p, item in zip(params, items)}

    def _run_body(self, fn: FunV, bindings: dict[str, Any]) -> Any:
        with self.in_file(fn.where):
            return self.eval(fn.body, fn.env.child(bindings))

    def apply(self, fn: Any, arg: Any, span: Span | None) -> Any:
        if isinstance(fn, Builtin):
            args = arg.items if isinstance(arg, TupleV) else (arg,)
            return fn.fn(*args)
        if not isinstance(fn, FunV):
            raise self.error("this is not a function", span)
        if len(fn.params) == 1:
            bindings = {fn.params[0]: arg}
        else:
            items = arg.items if isinstance(arg, TupleV) else None
            if items is None or len(items) != len(fn.params):
                raise self.error(f"{fn.name} expects {len(fn.params)} arguments", span)
            bindings = dict(zip(fn.params, items))
        return self._run_body(fn, bindings)

    def _eval_Unop(self, expr: ast.Unop, env: Env) -> Any:
        op = expr.op
        if op == "~":
            with self.flipped():
                value = self.eval(expr.expr, env)
        else:
            value = self.eval(expr.expr, env)
        if op == "~":
            if isinstance(value, EventSet):
                return self.alg.set_complement(value)
            if value is EMPTY:
                return UNIVERSE
            if value is UNIVERSE:
                return EMPTY
            return self.alg.complement(self.as_relation(value, expr.expr))
        if op == "[]":
            return self.alg.identity(self.as_set(value, expr.expr))
        if op == "^-1" and isinstance(value, PairV):  # herd inverts a pair too
            return PairV((value.pair[1], value.pair[0]))
        if op == "^-1" and value is UNIVERSE:
            return UNIVERSE
        rel = self.as_relation(value, expr.expr)
        if op == "^-1":
            return self.alg.inverse(rel)
        if op == "+":
            return self.alg.plus(rel, self.mode)
        if op == "*":
            return self.alg.reflexive(self.alg.plus(rel, self.mode))
        if op == "?":
            return self.alg.reflexive(rel)
        raise self.error(f"unknown operator '{op}'", expr.span)

    def _eval_Binop(self, expr: ast.Binop, env: Env) -> Any:
        op = expr.op
        if op == "&" and self._pending(expr.left, env) and not self._builds(expr.right, env):
            # `rel & S`, rel a definition not built yet and S built of values already there:
            # S first, and when S is empty rel is never built (herd's enumerations.cat
            # intersects the whole ordered-before so)
            right = self.eval(expr.right, env)
            if _is_empty(right):
                return right
        if op == "&":
            narrowed = self._narrowed_seq(expr, env)
            if narrowed is not None:
                return narrowed
        left = self.eval(expr.left, env)
        if op == "++":
            return self.add_element(left, self.eval(expr.right, env), expr.span)
        if op in ("&", ";", "\\") and _is_empty(left):
            return left  # nothing can come of it: the right side is never built
        if op == "\\":
            with self.flipped():
                right = self.eval(expr.right, env)
        else:
            right = self.eval(expr.right, env)
        if op in ("&", ";") and _is_empty(right):
            return right if op == "&" or isinstance(right, Relation) else EMPTY
        if op == "*":
            return self.alg.product(self.as_set(left, expr.left), self.as_set(right, expr.right))
        if op == ";":
            return self.alg.seq(self.as_relation(left, expr.left), self.as_relation(right, expr.right))
        if op in ("|", "&", "\\"):
            if left is EMPTY and right is EMPTY:
                return EMPTY
            if left is UNIVERSE or right is UNIVERSE:
                return self._with_universe(op, left, right)
            if isinstance(left, ValueSet) or isinstance(right, ValueSet):
                return self.value_set_op(op, left, right, expr)
            as_sets = isinstance(left, EventSet) or isinstance(right, EventSet)
            if as_sets:
                a, b = self.as_set(left, expr.left), self.as_set(right, expr.right)
                f = {"|": self.alg.set_union, "&": self.alg.set_inter, "\\": self.alg.set_diff}[op]
            else:
                a, b = self.as_relation(left, expr.left), self.as_relation(right, expr.right)
                f = {"|": self.alg.union, "&": self.alg.inter, "\\": self.alg.diff}[op]
            return f(a, b)
        raise self.error(f"operator '{op}' is not supported yet", expr.span)

    def _narrowed_seq(self, expr: ast.Binop, env: Env) -> Any:
        """`S & (a ; b)` (either way round) with S a relation: only the pairs of S are
        composed (atomicity's `rmw & (fre ; coe)` would otherwise build fre;coe whole, a term
        per read and pair of writes). None when the expression has another shape."""
        sides = narrowing_sides(expr)
        if sides is None:
            return None
        other, composed = sides
        within = self.eval(other, env)
        if not isinstance(within, Relation):
            return None  # empty, universe or a set: the general case says what it means
        if not within.entries:
            return within
        a = self.as_relation(self.eval(composed.left, env), composed.left)
        b = self.as_relation(self.eval(composed.right, env), composed.right)
        if len(within.entries) > len(a.entries):  # S is the big side (loc, say): compose whole
            return self.alg.inter(within, self.alg.seq(a, b))
        return self.alg.inter(within, self.alg.seq_within(a, b, within.entries))

    def _builds(self, expr: ast.Expr, env: Env) -> bool:
        """Evaluating `expr` would build a lazy definition not computed yet (or might: a call,
        a match). LKMM's `pre-race & (rf & rw-xbstar^-1)` must not build rw-xbstar, a
        closure over everything, before finding pre-race empty in a test without plain
        accesses."""
        if isinstance(expr, ast.Var):
            return self._pending(expr, env)
        if isinstance(expr, ast.Binop):
            return self._builds(expr.left, env) or self._builds(expr.right, env)
        if isinstance(expr, ast.Unop):
            return self._builds(expr.expr, env)
        return not isinstance(expr, (ast.Tag, ast.Empty, ast.Universe, ast.StringLit))

    @staticmethod
    def _pending(expr: ast.Expr, env: Env) -> bool:
        """`expr` names a lazy definition whose value is not computed yet."""
        if not isinstance(expr, ast.Var):
            return False
        scope = env.scope(expr.name)
        if scope is None:
            return False
        value = scope.vars[expr.name]
        return isinstance(value, Thunk) and value.pending()

    def _with_universe(self, op: str, left: Any, right: Any) -> Any:
        """`|`, `&`, `\\` with the polymorphic universe `~0` on one side at least."""
        if op == "&":
            return right if left is UNIVERSE else left
        if op == "|":
            return UNIVERSE
        if right is UNIVERSE:  # x \ ~0
            return EMPTY
        if isinstance(right, EventSet):  # ~0 \ S
            return self.alg.set_complement(right)
        if isinstance(right, Relation):
            return self.alg.complement(right)
        return UNIVERSE  # ~0 \ 0

    def value_set_op(self, op: str, left: Any, right: Any, expr: ast.Binop) -> ValueSet:
        """`|`, `&`, `\\` on sets of values (sets of relations built by `map`, `{r}`, `r ++ S`,
        as herd's enumerations.cat does): each element present under its condition, an element
        of the right side kept out of a union when an equal one is already on the left."""
        a = self._value_items(left, expr.left)
        b = self._value_items(right, expr.right)

        def member(v: Any, items: list[tuple[Any, Cond]]) -> Cond:
            return or_(and_(c, self.same_value(v, w)) for w, c in items)

        if op == "|":
            out = a + [(v, and_(c, not_(member(v, a)))) for v, c in b]
        elif op == "&":
            out = [(v, and_(c, member(v, b))) for v, c in a]
        else:
            out = [(v, and_(c, not_(member(v, b)))) for v, c in a]
        return ValueSet(tuple((v, c) for v, c in out if c is not False))

    def _value_items(self, value: Any, expr: ast.Expr) -> list[tuple[Any, Cond]]:
        if value is EMPTY:
            return []
        if isinstance(value, ValueSet):
            return list(value.items)
        if isinstance(value, (EventSet, Relation)):  # an event set or relation: its elements
            return self.elements(value, getattr(expr, "span", None))
        raise self.error(f"expected a set, found {_describe(value)}", getattr(expr, "span", None))

    def same_value(self, v: Any, w: Any) -> Cond:
        """When two values are equal: relations and event sets entry by entry (their entries
        hold when their events execute), tuples item by item, anything else by identity."""
        if v is w:
            return True
        if isinstance(v, (Relation, EventSet)) or isinstance(w, (Relation, EventSet)) or v is EMPTY or w is EMPTY:
            if not all(x is EMPTY or isinstance(x, (Relation, EventSet)) for x in (v, w)):
                return False
            if isinstance(v, Relation) and isinstance(w, EventSet) or isinstance(v, EventSet) and isinstance(w, Relation):
                return not v.entries and not w.entries
            ex = self.alg.executes
            ev, ew = _entries(v), _entries(w)
            parts: list[Cond] = []
            for k in set(ev) | set(ew):
                cv, cw = ev.get(k, False), ew.get(k, False)
                if cv is cw:
                    continue
                run = and_(*(ex[e] for e in (k if isinstance(k, tuple) else (k,))))
                x, y = and_(run, cv), and_(run, cw)
                if x is y:
                    continue
                parts.append(or_([and_(x, y), and_(not_(x), not_(y))]))
            return and_(*parts)
        if isinstance(v, TupleV) and isinstance(w, TupleV):
            if len(v.items) != len(w.items):
                return False
            return and_(*(self.same_value(x, y) for x, y in zip(v.items, w.items)))
        if isinstance(v, (TagV, StrV, EventV, PairV)) and isinstance(w, (TagV, StrV, EventV, PairV)):
            return v == w
        return False

    # -- coercions
    def as_relation(self, value: Any, expr: ast.Expr) -> Relation:
        if isinstance(value, Relation):
            return value
        if value is EMPTY:
            return Relation({}, exact=True)
        if value is UNIVERSE:
            return self.alg.complement(Relation({}, exact=True))
        raise self.error(f"expected a relation, found {_describe(value)}", getattr(expr, "span", None))

    def as_set(self, value: Any, expr: ast.Expr) -> EventSet:
        if isinstance(value, EventSet):
            return value
        if value is EMPTY:
            return EventSet({}, exact=True)
        if value is UNIVERSE:
            return EventSet({e: True for e in self.alg.universe}, exact=True)
        raise self.error(f"expected an event set, found {_describe(value)}", getattr(expr, "span", None))

    def variant(self, cond: ast.VariantCond) -> bool:
        try:
            return variant_holds(cond, self.variants)
        except ValueError as err:
            raise self.error(str(err), cond.span) from None


def narrowing_sides(expr: ast.Binop) -> tuple[ast.Expr, ast.Binop] | None:
    """For `S & (a ; b)` (either way round, S itself no composition): S and `a ; b`."""
    for other, composed in ((expr.left, expr.right), (expr.right, expr.left)):
        if isinstance(composed, ast.Binop) and composed.op == ";" and not (
            isinstance(other, ast.Binop) and other.op == ";"
        ):
            return other, composed
    return None


def variant_holds(cond: ast.VariantCond, variants: frozenset[str]) -> bool:
    """Whether `if "name" ...` takes its first branch under these variants (herd's -variant);
    ValueError for a condition of an unknown kind."""
    if cond.op == "var":
        return cond.name in variants
    if cond.op == "not":
        return not variant_holds(cond.args[0], variants)
    if cond.op == "and":
        return all(variant_holds(c, variants) for c in cond.args)
    if cond.op == "or":
        return any(variant_holds(c, variants) for c in cond.args)
    raise ValueError(f"unknown variant condition '{cond.op}'")


def builtins(base: Base, interp: Interpreter) -> dict[str, Any]:
    """Functions every model may use without defining them."""
    alg = base.algebra

    def map_(f: Any) -> Builtin:
        def over(values: Any) -> ValueSet:
            return ValueSet(tuple((interp.apply(f, v, None), c) for v, c in interp.elements(values, None)))

        return Builtin("map f", over)

    def cross(sets: Any) -> CrossV:
        return CrossV(ValueSet(tuple(interp.elements(sets, None))))

    def generate_orders(events: Any, pco: Any) -> OrdersV:
        return OrdersV(events if isinstance(events, EventSet) else EventSet({}),
                       pco if isinstance(pco, Relation) else Relation({}))  # fmt: skip

    def different_values(r: Any) -> Relation:
        if not isinstance(r, Relation):
            return Relation({})
        out = {}
        for (i, j), c in r.entries.items():
            d = and_(c, base.values_differ(i, j))
            if d is not False:
                out[(i, j)] = d
        return Relation(out)

    def domain(r: Any) -> EventSet:
        if r is UNIVERSE:
            return interp.as_set(r, None)
        return alg.domain(r) if isinstance(r, Relation) else EventSet({}, exact=True)

    def range_(r: Any) -> EventSet:
        if r is UNIVERSE:
            return interp.as_set(r, None)
        return alg.range(r) if isinstance(r, Relation) else EventSet({}, exact=True)

    # herd's primitives on page-table entries (-variant vmsa). What they test is the values the
    # entries hold, so they ask the execution (`same_oa(i, j)`, `writable2(i, j)`,
    # `is_pt_store(i)`: Conds); an execution without page tables has no such events, and then
    # nothing is asked of it: the argument is empty in every test without -variant vmsa.
    def base_hook(name: str) -> Callable[..., Cond]:
        hook = getattr(base, name, None)
        if hook is None:
            raise interp.error(
                f"this model needs page-table values ('{name}' of -variant vmsa), which the "
                "execution does not provide", None,
            )  # fmt: skip
        return hook

    def same_oa(r: Any) -> Any:
        if _is_empty(r):
            return Relation({})
        rel = interp.as_relation(r, None)
        hook = base_hook("same_oa")
        out = {(i, j): and_(c, hook(i, j)) for (i, j), c in rel.entries.items()}
        return Relation({k: c for k, c in out.items() if c is not False})

    def check_two(pred_name: str, negate: bool) -> Callable[..., Any]:
        """The writes w of `ws` to a page-table entry with exactly one `prec`-successor p,
        such that pred(w, p) holds (or does not, for oa-changes)."""

        def prim(*items: Any) -> EventSet:
            if len(items) != 2:
                raise interp.error("expects a set of events and a relation", None)
            ws, prec = items
            if _is_empty(ws) or _is_empty(prec):
                return EventSet({})
            ws, prec = interp.as_set(ws, None), interp.as_relation(prec, None)
            pred, is_pt = base_hook(pred_name), base_hook("is_pt_store")
            succ = prec.successors()
            ex = alg.executes
            out: dict[int, Cond] = {}
            for w, cw in ws.entries.items():
                # present successors: a prec entry holds when both its events execute
                nexts = [(p, and_(ex[p], c)) for p, c in succ.get(w, ())]
                alone = or_(
                    and_(c, *(not_(d) for q, d in nexts if q != p),
                         not_(pred(w, p)) if negate else pred(w, p))
                    for p, c in nexts
                )  # fmt: skip
                c = and_(cw, is_pt(w), alone)
                if c is not False:
                    out[w] = c
            return EventSet(out)

        return prim

    return {
        "domain": Builtin("domain", domain),
        "range": Builtin("range", range_),
        "different-values": Builtin("different-values", different_values),
        "same-oa": Builtin("same-oa", same_oa),
        "oa-changes": Builtin("oa-changes", check_two("same_oa", True)),
        "at-least-one-writable": Builtin("at-least-one-writable", check_two("writable2", False)),
        "map": Builtin("map", map_),
        "cross": Builtin("cross", cross),
        "generate_orders": Builtin("generate_orders", generate_orders),
    }


def _order_key(value: Any) -> tuple:
    if isinstance(value, EventV):
        return (0, value.id)
    if isinstance(value, PairV):
        return (1, value.pair)
    if isinstance(value, TagV):
        return (2, value.name)
    return (3, 0)


def _describe(value: Any) -> str:
    if isinstance(value, EventSet):
        return "an event set"
    if isinstance(value, (FunV, Builtin)):
        return "a function"
    if isinstance(value, TagV):
        return f"the tag '{value.name}"
    if isinstance(value, TupleV):
        return "a tuple"
    return type(value).__name__


def _standin(value: Any) -> Any:
    if isinstance(value, Relation):
        return Relation({k: True for k in value.entries})
    if isinstance(value, EventSet):
        return EventSet({k: True for k in value.entries})
    return value


def _entries(value: Any) -> dict:
    return dict(value.entries) if isinstance(value, (EventSet, Relation)) else {}


_NEGATES_CACHE: dict[tuple[int, frozenset], bool] = {}


def _negates(expr: ast.Expr, names: set[str]) -> bool:
    """Whether any of `names` may occur in a negative position of `expr` (under `\\`'s right
    side, `~`, or an argument of a function call), so that a one-sided encoding is unsafe."""
    key = (id(expr), frozenset(names))
    if key not in _NEGATES_CACHE:
        _NEGATES_CACHE[key] = _mentions_negatively(expr, frozenset(names), False)
    return _NEGATES_CACHE[key]


def _mentions_negatively(node: Any, names: frozenset, negative: bool) -> bool:
    if isinstance(node, ast.Var):
        return negative and node.name in names
    if isinstance(node, ast.Binop) and node.op == "\\":
        return _mentions_negatively(node.left, names, negative) or _mentions_negatively(node.right, names, True)
    if isinstance(node, ast.Unop) and node.op == "~":
        return _mentions_negatively(node.expr, names, True)
    if isinstance(node, ast.App):
        builtin = isinstance(node.fn, ast.Var) and node.fn.name in ("domain", "range")
        return _mentions_negatively(node.fn, names, negative) or _mentions_negatively(
            node.arg, names, negative or not builtin
        )
    if isinstance(node, tuple):
        return any(_mentions_negatively(n, names, negative) for n in node)
    if hasattr(node, "__dataclass_fields__"):
        return any(
            _mentions_negatively(getattr(node, f), names, negative)
            for f in node.__dataclass_fields__
            if f != "span"
        )
    return False


def _is_empty(value: Any) -> bool:
    return value is EMPTY or (isinstance(value, (EventSet, Relation)) and not value.entries)


def _keys(value: Any) -> frozenset:
    if isinstance(value, (EventSet, Relation)):
        return frozenset(value.entries)
    return frozenset()


def _is_static(value: Any) -> bool:
    if isinstance(value, (EventSet, Relation)):
        return value.is_static()
    return True


def _has_cycle(succ: dict[int, list[tuple[int, Cond]]]) -> bool:
    return any(
        len(comp) > 1 or any(j == comp[0] for j, _ in succ.get(comp[0], ()))
        for comp in strongly_connected(succ)
    )


def _default_check_name(stmt: ast.Check) -> str:
    if isinstance(stmt.expr, ast.Var):
        return stmt.expr.name
    return stmt.test

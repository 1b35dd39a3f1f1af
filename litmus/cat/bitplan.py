"""A model compiled once into closures over bits, for the many runs of one enumeration.

The lazy consistency engine (engine/lazy.py) runs a model's deferred checks and lazy flags on
every execution the solver proposes: thousands of runs of the same statements. The interpreter
walks the syntax on each (an environment per `let`, a thunk per definition, a name looked up
through every enclosing environment, a dispatch per node): two thirds of a run on bits
(cat/bits.py) went there, the bit operations themselves a third. Here that walk is done
once per model: each definition becomes a slot, each expression a closure, each name a slot, a
local cell or a base relation, resolved before any run. A run is then the bit operations and a
closure call per node.

The meaning is the interpreter's, node by node (cat/interp.py, cat/traced.py, cat/bits.py):
definitions computed when first needed, the same short cuts on empty sides, a `let rec` iterated
the same way, exact values kept for the next run on the same events under the same keys (so
the two kinds of run share them). What this does not compile (`with`, procedures, `match`,
`try`, sets of values, functions as values, recursive functions) leaves the model to the
interpreter: `compile_bits` says None. Whatever a run meets that it cannot decide (a type
error, a name bound nowhere) raises Unsupported, and the traced run, which says it properly,
takes over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from litmus.cat import ast
from litmus.cat.bits import BitInterpreter, BitRel, BitSet, Unsupported, Violated, holds
from litmus.cat.bits import _rel as _bit_rel
from litmus.cat.bits import _set as _bit_set
from litmus.cat.interp import EMPTY, UNIVERSE, ModelLoader, TagV, _default_check_name, _is_empty
from litmus.cat.interp import narrowing_sides, variant_holds
from litmus.cat.relations import Algebra, EventSet, Relation
from litmus.errors import LitmusError

# a closure compiled from an expression: (run, frame) -> value
Code = Callable[["_Run", list], Any]

_UNSET = object()  # a slot or cell not computed yet in this run
_SAME = BitInterpreter.same  # a `let rec` round that changed nothing
_BUILTINS = ("domain", "range", "different-values")  # the builtins compiled here
_OTHER_BUILTINS = ("same-oa", "oa-changes", "at-least-one-writable", "map", "cross", "generate_orders")


class NotCompiled(Exception):
    """A construct the plan does not compile: the interpreter runs this model."""


class _Failed(Unsupported):
    """Where the interpreter raises a CatError (a name bound nowhere, a value of the wrong
    kind): a `try` takes its default, anything else leaves the run to the traced run."""


class _Run:
    """One run: the execution's base, its algebra, the definitions' values so far."""

    __slots__ = ("base", "alg", "slots", "kept")

    def __init__(self, base: Any, size: int) -> None:
        self.base = base
        self.alg = base.algebra
        self.slots = [_UNSET] * size
        self.kept = base.kept


class _Check:
    __slots__ = ("index", "name", "test", "flag", "negated", "code")

    def __init__(self, index: int, stmt: ast.Check, code: Code) -> None:
        self.index, self.test, self.flag, self.negated, self.code = index, stmt.test, stmt.flag, stmt.negated, code
        self.name = stmt.name or _default_check_name(stmt)


class _Choice:
    """`with x from ...`: x's slot takes the execution's next choice."""

    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot


def _not_compiled(why: str) -> Code:
    def fail(run: "_Run", frame: list) -> Any:
        raise Unsupported(why)

    return fail


def _chosen_too_early(run: "_Run", frame: list) -> Any:
    raise Unsupported("a choice read before its `with`")


class BitPlan:
    """A model compiled for runs on bits: `run` judges checks and flags on one execution."""

    def __init__(self, slots: list[tuple[Code, Any]], actions: list[Any], unusable: set[int]) -> None:
        self.slots = slots  # per top-level definition: its code, and its key in the kept store (None: not kept)
        self.unusable = frozenset(unusable)  # checks a run here cannot judge
        self.actions = actions  # in the model's order: a _Check, a _Choice, or the tags of an `enum`

    def covers(self, checks: frozenset[int]) -> bool:
        """Whether a run here can judge these checks and flags (by index)."""
        return self.unusable.isdisjoint(checks)

    def run(self, base: Any, wanted: frozenset[int] = frozenset(), flags: frozenset[int] = frozenset()) -> set[int]:
        """The flags among `flags` this execution raises; Violated at the first check among
        `wanted` that fails, Unsupported where the traced run must answer."""
        run = _Run(base, len(self.slots))
        raised: set[int] = set()
        for action in self.actions:
            if type(action) is not _Check:
                if type(action) is _Choice:
                    run.slots[action.slot] = base.choose(None)
                else:
                    base.declare_tags(action)
                continue
            if action.flag:
                if action.index in flags:
                    if holds(action.test, _judged(action, run)) != action.negated:
                        raised.add(action.index)
                continue
            if action.index not in wanted:
                continue
            if action.negated:
                raise Unsupported("a negated check")
            if not holds(action.test, _judged(action, run)):
                raise Violated(action.name)
        return raised


def _judged(check: _Check, run: _Run) -> EventSet | Relation:
    value = check.code(run, [])
    if check.test != "empty" or not isinstance(value, (EventSet, Relation)):
        value = _as_relation(value, run.alg)
    return value


def _force(run: _Run, plan: BitPlan, k: int) -> Any:
    """Top-level definition k's value in this run: kept from an earlier run on the same events
    when exact, as the interpreter's kept thunks do."""
    code, key = plan.slots[k]
    if key is None:
        value = code(run, [])
    else:
        value = run.kept.get(key)
        if value is None:
            value = code(run, [])
            if getattr(value, "exact", False):
                run.kept[key] = value
    run.slots[k] = value
    return value


# -- coercions, as the interpreter's (a value it would reject: the traced run says why)
def _as_relation(value: Any, alg: Algebra) -> Relation:
    if isinstance(value, Relation):
        return value
    if value is EMPTY:
        return BitRel({}, True)
    if value is UNIVERSE:
        return alg.complement(BitRel({}, True))
    raise _Failed("expected a relation")


def _as_set(value: Any, alg: Algebra) -> EventSet:
    if isinstance(value, EventSet):
        return value
    if value is EMPTY:
        return BitSet(0, True)
    if value is UNIVERSE:
        return BitSet(alg.all, True)
    raise _Failed("expected an event set")


# -- compiling
class _Fun:
    """A user function, inlined at each call: its parameters, body and defining scope."""

    __slots__ = ("params", "body", "scope")

    def __init__(self, params: tuple[str, ...], body: ast.Expr, scope: "_Scope") -> None:
        self.params, self.body, self.scope = params, body, scope


class _Scope:
    """What names mean while compiling: `names` maps a name to ("slot", k), ("member", k, name)
    for a top-level `let rec` group's, ("cell", depth, i) for a local definition or parameter,
    ("lmember", depth, i, name) for a local group's, ("round", depth, name) inside a `let rec`
    body, a _Fun, or ("bad", why); a name bound nowhere is the execution's (po, rf, a tag).
    `depth`: how many local frames enclose (a frame is [parent, cell, ...])."""

    def __init__(self, names: dict[str, Any], depth: int) -> None:
        self.names, self.depth = names, depth

    def bind(self, new: dict[str, Any], depth: int | None = None) -> "_Scope":
        return _Scope({**self.names, **new}, self.depth if depth is None else depth)


class _Compiler:
    def __init__(self, loader: ModelLoader, variants: frozenset[str]) -> None:
        self.loader, self.variants = loader, variants
        self.slots: list[tuple[Code, Any]] = []
        self.usable: list[bool] = []  # per slot: it and every slot it reads compiled
        self.uses: set[int] = set()  # the slots the code being compiled reads
        self.actions: list[Any] = []
        self.checks = 0
        self.unusable: set[int] = set()  # checks (by index) a run here cannot judge
        self.plan: BitPlan | None = None  # set before any run: slot references read it
        self.including: list[str] = []

    # -- statements
    def model(self, model: ast.Model, scope: _Scope, top: bool) -> _Scope:
        if model.path in self.including:
            raise NotCompiled("an include cycle")
        self.including.append(model.path)
        for stmt in model.stmts:
            scope = self.stmt(stmt, scope, top)
        self.including.pop()
        return scope

    def stmt(self, stmt: Any, scope: _Scope, top: bool) -> _Scope:
        if isinstance(stmt, ast.Let):
            return self.let(stmt, scope, top)
        if isinstance(stmt, ast.Check):
            code, usable = self.part(lambda: self.expr(stmt.expr, scope))
            self.actions.append(_Check(self.checks, stmt, code))
            if not usable:
                self.unusable.add(self.checks)
            self.checks += 1
            return scope
        if isinstance(stmt, (ast.Show, ast.Instructions, ast.Debug)):
            return scope
        if isinstance(stmt, ast.Include):
            try:
                included = self.loader(stmt.filename, stmt.span)
            except LitmusError:
                raise NotCompiled("an include the interpreter reports") from None
            return self.model(included, scope, top)
        if isinstance(stmt, ast.Enum):
            self.actions.append(tuple(stmt.tags))
            return scope.bind({stmt.name: ("bad", "a set of tags")})
        if isinstance(stmt, ast.With):
            # the solver chose the value (its constraints make it an element of the source):
            # the execution hands it over in the model's order of `with`s; the source itself
            # is not needed here
            k = len(self.slots)
            self.slots.append((_chosen_too_early, None))
            self.usable.append(True)
            self.actions.append(_Choice(k))
            return scope.bind({stmt.name: ("slot", k)})
        if isinstance(stmt, ast.Procedure):  # a call of it is not compiled
            return scope.bind({stmt.name: ("bad", "a procedure")})
        if isinstance(stmt, ast.IfStmt):  # decided by the variants, once; not top level (as traced runs keep)
            for s in stmt.then if self.variant(stmt.cond) else stmt.orelse:
                scope = self.stmt(s, scope, False)
            return scope
        raise NotCompiled(f"a '{type(stmt).__name__}' statement")

    def let(self, stmt: ast.Let, scope: _Scope, top: bool) -> _Scope:
        if not all(isinstance(b, ast.Binding) for b in stmt.bindings):
            raise NotCompiled("a tuple binding")
        if stmt.rec:
            if any(b.params is not None for b in stmt.bindings):
                raise NotCompiled("recursive functions")
            k = len(self.slots)
            code, usable = self.part(lambda: self.fixpoint(stmt.bindings, scope))
            self.slots.append((code, None))  # a group is never kept
            self.usable.append(usable)
            return scope.bind({b.name: ("member", k, b.name) for b in stmt.bindings})
        new: dict[str, Any] = {}
        for b in stmt.bindings:
            if b.params is not None:
                new[b.name] = _Fun(b.params, b.body, scope)
                continue
            new[b.name] = ("slot", len(self.slots))
            code, usable = self.part(lambda: self.expr(b.body, scope))  # noqa: B023 (called at once)
            self.slots.append((code, (id(stmt), b.name) if top else None))
            self.usable.append(usable)
        return scope.bind(new)

    def part(self, compile_: Callable[[], Code]) -> tuple[Code, bool]:
        """A definition's or check's code, and whether it can run: compiled, and every
        definition it reads can. One that cannot raises Unsupported if ever run (herd's
        lock.cat builds the candidates of its `with`s with `map` and `cross`, which a run
        here never reads); a run that wants a check that cannot is left to the interpreter."""
        self.uses = set()
        try:
            code = compile_()
        except NotCompiled as err:
            return _not_compiled(str(err)), False
        return code, all(self.usable[k] for k in self.uses)

    def fixpoint(self, bindings: tuple[ast.Binding, ...], scope: _Scope) -> Code:
        """A `let rec` group's values by Kleene iteration from empty, each binding seeing the
        values just computed before it in the round (TracedInterpreter.fixpoint)."""
        depth = scope.depth + 1
        inner = scope.bind({b.name: ("round", depth, b.name) for b in bindings}, depth)
        bodies = [(b.name, self.expr(b.body, inner)) for b in bindings]
        names = [name for name, _ in bodies]

        def fix(run: _Run, frame: list) -> dict[str, Any]:
            values = {name: EMPTY for name in names}
            for round_ in range(10_000):
                new = dict(values)
                inner_frame = [frame, new]
                for name, body in bodies:
                    new[name] = body(run, inner_frame)
                if round_ and all(_SAME(new[n], values[n]) for n in names):
                    return new
                values = new
            raise _Failed("a recursive definition that does not converge")

        return fix

    def variant(self, cond: ast.VariantCond) -> bool:
        try:
            return variant_holds(cond, self.variants)
        except ValueError:
            raise NotCompiled("an unknown variant condition") from None

    # -- expressions
    def expr(self, e: Any, scope: _Scope) -> Code:
        method = getattr(self, "_" + type(e).__name__, None)
        if method is None:
            raise NotCompiled(f"a '{type(e).__name__}' expression")
        return method(e, scope)

    def _Var(self, e: ast.Var, scope: _Scope) -> Code:
        return self.reference(e.name, scope)

    def reference(self, name: str, scope: _Scope) -> Code:
        meaning = scope.names.get(name)
        if meaning is None:
            if name in _BUILTINS or name in _OTHER_BUILTINS:
                raise NotCompiled("a builtin function as a value")
            return _primitive(name)
        if isinstance(meaning, _Fun):
            raise NotCompiled("a function as a value")
        kind = meaning[0]
        if kind == "slot":
            return self.slot(meaning[1])
        if kind == "member":
            group, member = self.slot(meaning[1]), meaning[2]
            return lambda run, frame: group(run, frame)[member]
        if kind == "cell":
            return _cell(scope.depth - meaning[1], meaning[2])
        if kind == "lmember":
            cell, member = _cell(scope.depth - meaning[1], meaning[2]), meaning[3]
            return lambda run, frame: cell(run, frame)[member]
        if kind == "round":
            up, member = scope.depth - meaning[1], meaning[2]
            return lambda run, frame: _up(frame, up)[1][member]
        raise NotCompiled(meaning[1])

    def slot(self, k: int) -> Code:
        self.uses.add(k)
        def value(run: _Run, frame: list) -> Any:
            v = run.slots[k]
            return _force(run, self.plan, k) if v is _UNSET else v  # type: ignore[arg-type]

        return value

    def pending(self, e: Any, scope: _Scope) -> Callable[[_Run, list], bool] | None:
        """For a name of a definition: whether it is not computed yet in a run (the
        interpreter's `_pending`); None for anything else (never pending)."""
        if not isinstance(e, ast.Var):
            return None
        meaning = scope.names.get(e.name)
        if isinstance(meaning, tuple) and meaning[0] in ("slot", "member"):
            k = meaning[1]
            self.uses.add(k)
            return lambda run, frame: run.slots[k] is _UNSET
        if isinstance(meaning, tuple) and meaning[0] in ("cell", "lmember"):
            up, i = scope.depth - meaning[1], meaning[2]
            return lambda run, frame: _up(frame, up)[i][0] is _UNSET
        return None

    def builds(self, e: Any, scope: _Scope) -> Callable[[_Run, list], bool]:
        """Whether evaluating `e` would compute a definition not computed yet, or might (the
        interpreter's `_builds`)."""
        if isinstance(e, ast.Var):
            pending = self.pending(e, scope)
            return pending if pending is not None else _never
        if isinstance(e, ast.Binop):
            left, right = self.builds(e.left, scope), self.builds(e.right, scope)
            if left is _never:
                return right
            if right is _never:
                return left
            return lambda run, frame: left(run, frame) or right(run, frame)
        if isinstance(e, ast.Unop):
            return self.builds(e.expr, scope)
        if isinstance(e, (ast.Tag, ast.Empty, ast.Universe, ast.StringLit)):
            return _never
        return _always

    def _Tag(self, e: ast.Tag, scope: _Scope) -> Code:
        tag = TagV(e.name)
        return lambda run, frame: tag

    def _Empty(self, e: ast.Empty, scope: _Scope) -> Code:
        return lambda run, frame: EMPTY

    def _Universe(self, e: ast.Universe, scope: _Scope) -> Code:
        return lambda run, frame: BitSet(run.alg.all, True)

    def _Try(self, e: ast.Try, scope: _Scope) -> Code:
        body, default = self.expr(e.expr, scope), self.expr(e.default, scope)

        def attempt(run: _Run, frame: list) -> Any:
            try:
                return body(run, frame)
            except _Failed:
                return default(run, frame)

        return attempt

    def _IfExpr(self, e: ast.IfExpr, scope: _Scope) -> Code:
        return self.expr(e.then if self.variant(e.cond) else e.orelse, scope)

    def _LetIn(self, e: ast.LetIn, scope: _Scope) -> Code:
        if not all(isinstance(b, ast.Binding) for b in e.bindings):
            raise NotCompiled("a tuple binding")
        depth = scope.depth + 1
        if e.rec:
            if any(b.params is not None for b in e.bindings):
                raise NotCompiled("recursive functions")
            group = self.fixpoint(e.bindings, scope)
            inner = scope.bind({b.name: ("lmember", depth, 1, b.name) for b in e.bindings}, depth)
            body = self.expr(e.body, inner)

            def let_rec(run: _Run, frame: list) -> Any:
                return body(run, [frame, [_UNSET, group, frame]])

            return let_rec
        new: dict[str, Any] = {}
        codes: list[Code] = []
        for b in e.bindings:
            if b.params is not None:
                new[b.name] = _Fun(b.params, b.body, scope)
            else:
                codes.append(self.expr(b.body, scope))
                new[b.name] = ("cell", depth, len(codes))
        body = self.expr(e.body, scope.bind(new, depth))

        def let_in(run: _Run, frame: list) -> Any:
            return body(run, [frame, *([_UNSET, code, frame] for code in codes)])

        return let_in

    def _App(self, e: ast.App, scope: _Scope) -> Code:
        if not isinstance(e.fn, ast.Var):
            raise NotCompiled("a call of a computed function")
        fn = scope.names.get(e.fn.name)
        if fn is None and e.fn.name in _BUILTINS:
            return self.builtin(e.fn.name, self.expr(e.arg, scope))
        if not isinstance(fn, _Fun):
            raise NotCompiled("a call of something not a known function")
        items = e.arg.items if isinstance(e.arg, ast.Tuple) else (e.arg,)
        if len(items) != len(fn.params):
            raise NotCompiled("a call with a tuple for its arguments")
        # the parameters are lazy, as the interpreter's: a body may never need an argument
        args = [self.expr(item, scope) for item in items]
        depth = scope.depth + 1
        inner = fn.scope.bind({p: ("cell", depth, i + 1) for i, p in enumerate(fn.params)}, depth)
        # a local function's body reads the frames it was defined in by depth: a call is
        # always inside their extent, so they enclose the call's frame at the same depths
        body = self.expr(fn.body, inner)

        def call(run: _Run, frame: list) -> Any:
            return body(run, [frame, *([_UNSET, arg, frame] for arg in args)])

        return call

    def builtin(self, name: str, arg: Code) -> Code:
        if name == "different-values":
            def different_values(run: _Run, frame: list) -> Any:
                r = arg(run, frame)
                if not isinstance(r, Relation):
                    return BitRel({})
                rows: dict[int, int] = {}
                for i, j in r.entries:
                    d = run.base.values_differ(i, j)
                    if d is not True and d is not False:
                        raise Unsupported("a condition that is not a fact of this execution")
                    if d:
                        rows[i] = rows.get(i, 0) | 1 << j
                return BitRel(rows)

            return different_values
        ends = (lambda alg, r: alg.domain(r)) if name == "domain" else (lambda alg, r: alg.range(r))

        def domain_or_range(run: _Run, frame: list) -> Any:
            r = arg(run, frame)
            if r is UNIVERSE:
                return BitSet(run.alg.all, True)
            return ends(run.alg, r) if isinstance(r, Relation) else BitSet(0, True)

        return domain_or_range

    def _Unop(self, e: ast.Unop, scope: _Scope) -> Code:
        inner, op = self.expr(e.expr, scope), e.op
        if op == "~":
            def complement(run: _Run, frame: list) -> Any:
                value = inner(run, frame)
                if isinstance(value, EventSet):
                    return run.alg.set_complement(value)
                if value is EMPTY:
                    return UNIVERSE
                if value is UNIVERSE:
                    return EMPTY
                return run.alg.complement(_as_relation(value, run.alg))

            return complement
        if op == "[]":
            return lambda run, frame: run.alg.identity(_as_set(inner(run, frame), run.alg))
        if op == "^-1":
            def inverse(run: _Run, frame: list) -> Any:
                value = inner(run, frame)
                return UNIVERSE if value is UNIVERSE else run.alg.inverse(_as_relation(value, run.alg))

            return inverse
        if op == "+":
            return lambda run, frame: run.alg.plus(_as_relation(inner(run, frame), run.alg))
        if op == "*":
            return lambda run, frame: run.alg.reflexive(run.alg.plus(_as_relation(inner(run, frame), run.alg)))
        if op == "?":
            return lambda run, frame: run.alg.reflexive(_as_relation(inner(run, frame), run.alg))
        raise NotCompiled(f"the operator '{op}'")

    def _Binop(self, e: ast.Binop, scope: _Scope) -> Code:
        op = e.op
        if op not in ("|", "&", "\\", ";", "*"):
            raise NotCompiled(f"the operator '{op}'")
        if op == ";" and _is_identity(e.left):
            return _from_set(self.expr(e.left.expr, scope), self.expr(e.right, scope))
        if op == ";" and _is_identity(e.right):
            return _into_set(self.expr(e.left, scope), self.expr(e.right.expr, scope))
        if op == ";" and _is_reflexive(e.right):
            return _then_maybe(self.expr(e.left, scope), self.expr(e.right.expr, scope), e.right.op == "*")
        if op == ";" and _is_reflexive(e.left):
            return _maybe_then(self.expr(e.left.expr, scope), self.expr(e.right, scope), e.left.op == "*")
        left, right = self.expr(e.left, scope), self.expr(e.right, scope)
        general = _general(op, left, right)
        if op != "&":
            return general
        narrowed = self.narrowed(e, scope)
        left_pending = self.pending(e.left, scope)
        right_builds = self.builds(e.right, scope)

        def inter(run: _Run, frame: list) -> Any:
            if left_pending is not None and left_pending(run, frame) and not right_builds(run, frame):
                # `rel & S`, rel not computed yet and S of values already there: S first, and
                # rel never when S is empty
                r = right(run, frame)
                if _empty(r):
                    return r
            if narrowed is not None:
                value = narrowed(run, frame)
                if value is not _UNSET:
                    return value
            return general(run, frame)

        return inter

    def narrowed(self, e: ast.Binop, scope: _Scope) -> Code | None:
        """`S & (a ; b)` (either way round), S a relation: when S is empty, a ; b is never
        built (the interpreter's `_narrowed_seq`; on bits the composition is whole)."""
        sides = narrowing_sides(e)
        if sides is None:
            return None
        other, composed = sides
        within_code = self.expr(other, scope)
        a_code, b_code = self.expr(composed.left, scope), self.expr(composed.right, scope)

        def narrowed(run: _Run, frame: list) -> Any:
            within = within_code(run, frame)
            if not isinstance(within, Relation):
                return _UNSET  # the general case says what it means
            if not within.entries:
                return within
            alg = run.alg
            a = _as_relation(a_code(run, frame), alg)
            b = _as_relation(b_code(run, frame), alg)
            return alg.inter(within, alg.seq(a, b))

        return narrowed


def _general(op: str, left: Code, right: Code) -> Code:
    """`left op right` as the interpreter's `_eval_Binop` after its short cuts for `&`."""
    if op == ";":
        def seq(run: _Run, frame: list) -> Any:
            a = left(run, frame)
            if _empty(a):
                return a
            b = right(run, frame)
            if _empty(b):
                return b if isinstance(b, Relation) else EMPTY
            return run.alg.seq(_as_relation(a, run.alg), _as_relation(b, run.alg))

        return seq
    if op == "*":
        def product(run: _Run, frame: list) -> Any:
            a, b = left(run, frame), right(run, frame)
            return run.alg.product(_as_set(a, run.alg), _as_set(b, run.alg))

        return product
    set_op, rel_op = {"|": ("set_union", "union"), "&": ("set_inter", "inter"), "\\": ("set_diff", "diff")}[op]
    empty_left = op != "|"  # & and \ of an empty left side: the right side is never built

    def boolean(run: _Run, frame: list) -> Any:
        a = left(run, frame)
        if empty_left and _empty(a):
            return a
        b = right(run, frame)
        if op == "&" and _empty(b):
            return b
        if a is EMPTY and b is EMPTY:
            return EMPTY
        alg = run.alg
        if a is UNIVERSE or b is UNIVERSE:
            return _with_universe(op, a, b, alg)
        if isinstance(a, EventSet) or isinstance(b, EventSet):
            return getattr(alg, set_op)(_as_set(a, alg), _as_set(b, alg))
        return getattr(alg, rel_op)(_as_relation(a, alg), _as_relation(b, alg))

    return boolean


def _is_identity(e: Any) -> bool:
    return isinstance(e, ast.Unop) and e.op == "[]"


# `[S] ; r` and `r ; [S]` (LKMM's `[Marked] ; ... ; [Marked]` everywhere): r's rows from S, or
# each row within S, as composing with the identity on S would give, without building it
def _from_set(events: Code, right: Code) -> Code:
    def from_set(run: _Run, frame: list) -> Any:
        alg = run.alg
        s = _bit_set(_as_set(events(run, frame), alg))
        if not s.bits:
            return BitRel({}, s.exact)  # the identity on nothing, as `;` returns an empty left
        r = right(run, frame)
        if _empty(r):
            return r if isinstance(r, Relation) else EMPTY
        r = _bit_rel(_as_relation(r, alg))
        bits = s.bits
        return BitRel({i: row for i, row in r.rows.items() if bits >> i & 1}, s.exact and r.exact)

    return from_set


def _into_set(left: Code, events: Code) -> Code:
    def into_set(run: _Run, frame: list) -> Any:
        alg = run.alg
        a = left(run, frame)
        if _empty(a):
            return a
        s = _bit_set(_as_set(events(run, frame), alg))
        if not s.bits:
            return BitRel({}, s.exact)  # the identity on nothing, as `;` returns an empty right
        a = _bit_rel(_as_relation(a, alg))
        bits, out = s.bits, {}
        for i, row in a.rows.items():
            row &= bits
            if row:
                out[i] = row
        return BitRel(out, a.exact and s.exact)

    return into_set


def _is_reflexive(e: Any) -> bool:
    return isinstance(e, ast.Unop) and e.op in ("?", "*")


# `a ; r?` is a | (a ; r), `a ; r*` is a | (a ; r+), and so on the left: the same rows as
# composing with the reflexive closure, without its identity over every event (LKMM's
# `po? ; hb* ; pb* ; prop ; po` on every run)
def _then_maybe(left: Code, inner: Code, star: bool) -> Code:
    def then_maybe(run: _Run, frame: list) -> Any:
        alg = run.alg
        a = left(run, frame)
        if _empty(a) or not alg.all:
            return a
        r = _as_relation(inner(run, frame), alg)
        if star:
            r = alg.plus(r)
        a = _as_relation(a, alg)
        return alg.union(a, alg.seq(a, r))

    return then_maybe


def _maybe_then(inner: Code, right: Code, star: bool) -> Code:
    def maybe_then(run: _Run, frame: list) -> Any:
        alg = run.alg
        r = _as_relation(inner(run, frame), alg)
        if not alg.all:
            return alg.reflexive(alg.plus(r) if star else r)  # the identity on nothing: empty
        if star:
            r = alg.plus(r)
        b = right(run, frame)
        if _empty(b):
            return b if isinstance(b, Relation) else EMPTY
        b = _as_relation(b, alg)
        return alg.union(b, alg.seq(r, b))

    return maybe_then


def _with_universe(op: str, left: Any, right: Any, alg: Algebra) -> Any:
    """As the interpreter's `_with_universe`: `~0` on one side at least."""
    if op == "&":
        return right if left is UNIVERSE else left
    if op == "|":
        return UNIVERSE
    if right is UNIVERSE:
        return EMPTY
    if isinstance(right, EventSet):
        return alg.set_complement(right)
    if isinstance(right, Relation):
        return alg.complement(right)
    return UNIVERSE


def _empty(value: Any) -> bool:
    """The interpreter's `_is_empty`, bits first."""
    kind = type(value)
    if kind is BitRel:
        return not value.rows
    if kind is BitSet:
        return not value.bits
    return _is_empty(value)


def _primitive(name: str) -> Code:
    def primitive(run: _Run, frame: list) -> Any:
        value = run.base.primitive(name)
        if value is None:
            raise _Failed(f"unbound name '{name}'")
        return value

    return primitive


def _up(frame: list, up: int) -> list:
    for _ in range(up):
        frame = frame[0]
    return frame


def _cell(up: int, i: int) -> Code:
    """A local definition or parameter: computed when first read, in the frame it was made in
    (one in the current frame, most of them, without the walk up)."""
    if up == 0:
        def here(run: _Run, frame: list) -> Any:
            cell = frame[i]
            value = cell[0]
            if value is _UNSET:
                value = cell[0] = cell[1](run, cell[2])
            return value

        return here

    def enclosing(run: _Run, frame: list) -> Any:
        cell = _up(frame, up)[i]
        value = cell[0]
        if value is _UNSET:
            value = cell[0] = cell[1](run, cell[2])
        return value

    return enclosing


def _never(run: _Run, frame: list) -> bool:
    return False


def _always(run: _Run, frame: list) -> bool:
    return True


def compile_bits(models: Iterable[ast.Model], loader: ModelLoader, variants: frozenset[str]) -> BitPlan | None:
    """`models` (our standard library, a bell file, the model), run in that order, compiled
    for runs on bits; None when they use what the plan does not compile."""
    compiler = _Compiler(loader, variants)
    scope = _Scope({}, 0)
    try:
        for model in models:
            scope = compiler.model(model, scope, True)
    except NotCompiled:
        return None
    compiler.plan = BitPlan(compiler.slots, compiler.actions, compiler.unusable)
    return compiler.plan


__all__ = ["BitPlan", "compile_bits"]

"""Why forbidden: which model checks rule an outcome out, and the cycle that shows it.

For a Never verdict the checker's solver already holds every non-flag check of the model under
an assumption literal (`TestChecker.axioms`). With the condition added, the assumptions are
unsatisfiable; their unsat core, minimised by deletion, names the checks that forbid the outcome.
Dropping exactly those checks gives a concrete candidate execution with the outcome that
satisfies every other check. Running the model on it concretely, the failing check's relation has
a cycle (acyclic), a reflexive edge (irreflexive) or a pair (empty); each of its edges is traced
back through the model's definitions to the base relations it comes from (po, rfe, fre, coe,
fences, addr/data/ctrl ...), giving `a -po-> b -fre-> c -po-> d -fre-> a  violates tso`.

`extend` is the checker's hook: it also builds one witness per reachable final state when asked
(`--graph-all`).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

import z3

from litmus.cat import ast as cat_ast
from litmus.cat.interp import EMPTY, Builtin, Env, FunV, Interpreter
from litmus.cat.relations import EventSet, Relation
from litmus.engine.checker import TestChecker
from litmus.engine.encode import ConcreteExecution
from litmus.engine.model import execution_relations, run_model
from litmus.arch import lower
from litmus.lower.events import INIT_THREAD
from litmus.result import ALWAYS, NEVER, SOMETIMES, Result, Witness

# Names traced no further: base relations and the standard library's direct views of them.
LEAVES = {
    "po", "rf", "co", "fr", "addr", "data", "ctrl", "rmw", "rfe", "rfi", "coe", "coi", "fre",
    "fri", "po-loc", "loc", "int", "ext", "id",
}  # fmt: skip
_MAX_DEPTH = 60

Step = tuple[str, int, int]  # (base relation name, from event, to event)


@dataclass(frozen=True)
class Explanation:
    """Why an outcome is forbidden, with everything needed to check the claim."""

    names: tuple[str, ...]  # the checks of a minimal unsat core
    text: str  # `a -po-> b -fre-> a  violates tso` (one line per failing check, `; `-joined)
    witness: Witness | None  # the candidate execution (outcome reached, other checks hold)
    cycle: tuple[int, ...] = ()  # event ids of the failing relation's cycle / pair
    relation: frozenset[tuple[int, int]] = frozenset()  # that relation in that execution
    test: str = ""  # acyclic / irreflexive / empty


class _Tracing(Interpreter):
    """The interpreter, remembering each check's environment and each let binding's definition."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.check_envs: list[tuple[cat_ast.Check, Env]] = []
        self.defs: dict[tuple[int, str], tuple[Env, cat_ast.Expr, Env]] = {}

    def check(self, stmt: cat_ast.Check, env: Env) -> None:  # type: ignore[override]
        before = len(self.checks)
        super().check(stmt, env)
        if len(self.checks) > before:
            self.check_envs.append((stmt, env))

    def let(self, bindings: tuple[Any, ...], rec: bool, env: Env) -> Env:  # type: ignore[override]
        new = super().let(bindings, rec, env)
        for b in bindings:
            if isinstance(b, cat_ast.Binding) and b.params is None:
                # a `let rec` body sees the bindings themselves; a plain one its outer env
                self.remember(new, b.name, b.body, new if rec else env)
        return new

    def remember(self, where: Env, name: str, body: cat_ast.Expr, env: Env) -> None:
        self.defs[(id(where), name)] = (where, body, env)  # `where` kept alive: ids stay unique


# -- the solver side ------------------------------------------------------------------------


def _solve(checker: Any, assumptions: list[z3.BoolRef], deadline: float | None) -> Any:
    return checker._check(assumptions, deadline)


def forbidding_checks(checker: Any, deadline: float | None) -> tuple[list[str], Any] | None:
    """(check names, a model of condition ∧ every other check) or None when unknown/reachable.

    The names are a minimal unsat core of the checks under the condition; when the model has
    redundant checks (two checks that each forbid the outcome on their own), dropping one core
    leaves the outcome unreachable, so further cores are added until dropping them all (herd7's
    -skipchecks) makes the outcome reachable.
    """
    solver = checker.solver
    axioms: dict[str, z3.BoolRef] = checker.axioms
    by_text = {str(lit): name for name, lit in axioms.items()}
    solver.push()
    try:
        solver.add(checker.condition)
        dropped: list[str] = []
        while True:
            active = [n for n in axioms if n not in dropped]
            status = _solve(checker, [axioms[n] for n in active], deadline)
            if status == z3.unknown:
                return None
            if status == z3.sat:
                if not dropped:
                    return None  # reachable: nothing forbids it
                return [n for n in axioms if n in dropped], solver.model()
            core = {by_text[str(lit)] for lit in solver.unsat_core() if str(lit) in by_text}
            names = [n for n in active if n in core]
            for name in list(names):  # deletion-based minimisation of this core
                trial = [axioms[m] for m in names if m != name]
                status = _solve(checker, trial, deadline)
                if status == z3.unknown:
                    return None
                if status == z3.unsat:
                    names.remove(name)
            if not names:  # unreachable whatever the model says
                return [], None
            dropped += names
    finally:
        solver.pop()


# -- tracing an edge back to base relations -------------------------------------------------


class _Tracer:
    def __init__(self, interp: _Tracing, execution: ConcreteExecution) -> None:
        self.interp = interp
        self.events = execution.events
        self.cache: dict[tuple[int, int], Any] = {}
        edges = execution_relations(execution, interp)
        loc = set(execution.primitive("loc").entries)
        same = set(execution.primitive("int").entries)
        derived = {
            "po-loc": edges["po"] & loc, "loc": loc, "int": same,
            "ext": set(execution.primitive("ext").entries), "id": {(e, e) for e in execution.algebra.universe},
        }  # fmt: skip
        for name in ("rf", "co", "fr"):
            derived[name + "i"] = edges[name] & same
            derived[name + "e"] = edges[name] - same
        self.base = {**edges, **derived}  # what a leaf name means in this execution

    def is_base_edge(self, name: str, a: int, b: int) -> bool:
        """Whether (a, b) is in the base relation `name` (a model may redefine ctrl, say, to
        carry dependencies through plain accesses: then the model's ctrl is no leaf)."""
        return (a, b) in self.base.get(name, ())

    def value(self, expr: cat_ast.Expr, env: Env) -> Any:
        key = (id(expr), id(env))
        if key not in self.cache:
            try:
                self.cache[key] = (self.interp.eval(expr, env), expr, env)
            except Exception:  # noqa: BLE001 - a sub-expression we cannot evaluate: a leaf
                self.cache[key] = (None, expr, env)
        return self.cache[key][0]

    def contains(self, expr: cat_ast.Expr, env: Env, a: int, b: int) -> bool:
        v = self.value(expr, env)
        if isinstance(v, Relation):
            return (a, b) in v.entries
        return False

    def refine(self, name: str, a: int, b: int) -> str:
        """rf -> rfe/rfi, co -> coe/coi, fr -> fre/fri; po-loc -> po."""
        if name == "po-loc":
            return "po"
        if name in ("rf", "co", "fr"):
            ta, tb = self.events[a].thread, self.events[b].thread
            external = ta != tb or ta == INIT_THREAD
            return name + ("e" if external else "i")
        return name

    def leaf(self, name: str, a: int, b: int) -> list[Step]:
        return [(self.refine(name, a, b), a, b)]

    def why(self, expr: cat_ast.Expr, env: Env, a: int, b: int, hint: str, depth: int = 0) -> list[Step]:
        """Base-relation steps from a to b that put (a, b) in expr's value."""
        if depth > _MAX_DEPTH:
            return self.leaf(hint, a, b)
        d = depth + 1
        if isinstance(expr, cat_ast.Var):
            name = expr.name
            where = env.scope(name)
            if where is None or (name in LEAVES and self.is_base_edge(name, a, b)):
                return self.leaf(name, a, b)  # a base primitive or a tag
            found = self.interp.defs.get((id(where), name))
            if found is not None and found[0] is where:
                return self.why(found[1], found[2], a, b, name, d)
            return self.leaf(name, a, b)
        if isinstance(expr, cat_ast.Binop):
            op, left, right = expr.op, expr.left, expr.right
            if op == "|":
                side = left if self.contains(left, env, a, b) else right
                return self.why(side, env, a, b, hint, d)
            if op == "\\":
                return self.why(left, env, a, b, hint, d)
            if op == "&":
                one = self.why(left, env, a, b, hint, d)
                two = self.why(right, env, a, b, hint, d)
                return two if len(two) > len(one) else one
            if op == ";":
                lv, rv = self.value(left, env), self.value(right, env)
                if not isinstance(lv, Relation) or not isinstance(rv, Relation):
                    return self.leaf(hint, a, b)
                middles = sorted(k for (i, k) in lv.entries if i == a and (k, b) in rv.entries)
                if not middles:
                    return self.leaf(hint, a, b)
                k = middles[0]
                return self.why(left, env, a, k, hint, d) + self.why(right, env, k, b, hint, d)
            return self.leaf(hint, a, b)
        if isinstance(expr, cat_ast.Unop):
            op = expr.op
            if op == "[]":
                return []
            if op == "?" or op == "*":
                if a == b:
                    return []
                if op == "?":
                    return self.why(expr.expr, env, a, b, hint, d)
            if op in ("+", "*"):
                path = self.path(expr.expr, env, a, b)
                if path is None:
                    return self.leaf(hint, a, b)
                out: list[Step] = []
                for x, y in zip(path, path[1:]):
                    out += self.why(expr.expr, env, x, y, hint, d)
                return out
            if op == "^-1":
                inner = self.why(expr.expr, env, b, a, hint, d)
                return [(f"{n}^-1", y, x) for (n, x, y) in reversed(inner)]
            return self.leaf(hint, a, b)
        if isinstance(expr, cat_ast.App):
            fn = self.interp.eval(expr.fn, env)
            if isinstance(fn, FunV):
                arg = self.interp.eval(expr.arg, env)
                if len(fn.params) == 1:
                    bindings = {fn.params[0]: arg}
                else:
                    items = getattr(arg, "items", None)
                    if items is None or len(items) != len(fn.params):
                        return self.leaf(hint, a, b)
                    bindings = dict(zip(fn.params, items))
                name = fn.name if fn.name != "<fun>" else hint
                inner = fn.env.child(bindings)
                args = expr.arg.items if isinstance(expr.arg, cat_ast.Tuple) else (expr.arg,)
                if len(args) == len(fn.params):
                    for param, arg_expr in zip(fn.params, args):
                        self.interp.remember(inner, param, arg_expr, env)
                return self.why(fn.body, inner, a, b, name, d)
            if isinstance(fn, Builtin):
                return self.leaf(fn.name, a, b)
            return self.leaf(hint, a, b)
        if isinstance(expr, cat_ast.LetIn):
            return self.why(expr.body, self.interp.let(expr.bindings, expr.rec, env), a, b, hint, d)
        if isinstance(expr, cat_ast.IfExpr):
            branch = expr.then if self.interp.variant(expr.cond) else expr.orelse
            return self.why(branch, env, a, b, hint, d)
        if isinstance(expr, cat_ast.Try):
            inner = self.value(expr.expr, env)
            return self.why(expr.expr if inner is not None else expr.default, env, a, b, hint, d)
        return self.leaf(hint, a, b)

    def path(self, expr: cat_ast.Expr, env: Env, a: int, b: int) -> list[int] | None:
        """Shortest a -> b path of at least one edge in expr's (concrete) relation."""
        v = self.value(expr, env)
        if not isinstance(v, Relation):
            return None
        succ: dict[int, list[int]] = {}
        for i, j in sorted(v.entries):
            succ.setdefault(i, []).append(j)
        parent: dict[int, int] = {}
        queue = deque([a])
        seen: set[int] = set()
        while queue:
            x = queue.popleft()
            for y in succ.get(x, ()):
                if y in seen:
                    continue
                seen.add(y)
                parent[y] = x
                if y == b:
                    out = [b]
                    while out[-1] != a or len(out) == 1:
                        out.append(parent[out[-1]])
                        if out[-1] == a:
                            break
                    return list(reversed(out))
                queue.append(y)
        return None


def shortest_cycle(pairs: set[tuple[int, int]]) -> list[int] | None:
    """A shortest cycle of a finite relation, as its nodes in order (last -> first closes it)."""
    succ: dict[int, list[int]] = {}
    for i, j in sorted(pairs):
        if i == j:
            return [i]
        succ.setdefault(i, []).append(j)
    best: list[int] | None = None
    for start in sorted(succ):
        parent = {start: start}
        queue = deque([start])
        found = None
        while queue and found is None:
            x = queue.popleft()
            for y in succ.get(x, ()):
                if y == start:
                    found = x
                    break
                if y not in parent:
                    parent[y] = x
                    queue.append(y)
        if found is None:
            continue
        cycle = [found]
        while cycle[-1] != start:
            cycle.append(parent[cycle[-1]])
        cycle.reverse()
        if best is None or len(cycle) < len(best):
            best = cycle
    return best


def _collapse_fences(steps: list[Step], events: list[Any]) -> list[Step]:
    """`x -po-> f -po-> y` through a fence event f reads `x -mb-> y` (the fence's annotation)."""
    out: list[Step] = []
    k = 0
    while k < len(steps):
        name, x, f = steps[k]
        if (
            k + 1 < len(steps) and name == "po" and steps[k + 1][0] == "po"
            and events[f].kind == "F" and x != f
        ):  # fmt: skip
            out.append((events[f].annotation() or "fence", x, steps[k + 1][2]))
            k += 2
            continue
        out.append(steps[k])
        k += 1
    return out


def _fmt_steps(steps: list[Step], label: dict[int, str], events: list[Any]) -> str:
    if not steps:
        return ""
    steps = _collapse_fences(steps, events)
    parts = [label[steps[0][1]]]
    for name, _x, y in steps:
        parts.append(f"-{name}-> {label[y]}")
    return " ".join(parts)


# -- the explanation ------------------------------------------------------------------------


def explain_checker(checker: Any, deadline: float | None) -> Explanation | None:
    """Why the condition is unreachable under checker's model (None when it is reachable)."""
    found = forbidding_checks(checker, deadline)
    if found is None:
        return None
    names, model = found
    if not names:
        return Explanation((), "no candidate execution reaches this outcome, whatever the model", None)
    if model is None:  # the other checks alone are unsatisfiable (cannot happen with a minimal core)
        return Explanation(tuple(names), "violates " + ", ".join(names), None)
    spec = checker.spec
    concrete = ConcreteExecution(checker.execution, model)
    interp = run_model(spec, concrete, _Tracing)
    witness = checker.witness(model, interp)
    label = {e.id: e.label for e in witness.events}
    tracer = _Tracer(interp, concrete)
    texts: list[tuple[str, list[str]]] = []
    highlight: list[Step] = []
    first_cycle: tuple[int, ...] = ()
    first_rel: frozenset[tuple[int, int]] = frozenset()
    first_test = ""
    for outcome, (stmt, check_env) in zip(interp.checks, interp.check_envs):
        if outcome.name not in names or outcome.flag:
            continue
        rel = outcome.relation
        pairs: set[tuple[int, int]] = set()
        if isinstance(rel, Relation):
            pairs = {k for k, c in rel.entries.items() if c is True}
        elif isinstance(rel, EventSet):
            pairs = {(e, e) for e, c in rel.entries.items() if c is True}
        text, cycle, steps = _describe(stmt, check_env, outcome.test, outcome.negated, pairs, tracer, label)
        if texts and text and texts[-1][0] == text:  # redundant checks, same cycle: one line
            texts[-1] = (text, texts[-1][1] + [outcome.name])
        else:
            texts.append((text, [outcome.name]))
        highlight += steps
        if not first_cycle and cycle:
            first_cycle, first_rel, first_test = tuple(cycle), frozenset(pairs), outcome.test
    met = {n for _, ns in texts for n in ns}
    texts += [("", [n]) for n in names if n not in met]  # not met concretely (should not happen)
    text = "; ".join(
        (f"{t}  violates " if t else "violates ") + " and ".join(ns) for t, ns in texts
    )
    witness = replace(witness, cycle=first_cycle, highlight=tuple(highlight), caption=text)
    return Explanation(tuple(names), text, witness, first_cycle, first_rel, first_test)


def _describe(stmt: cat_ast.Check, env: Env, test: str, negated: bool, pairs: set[tuple[int, int]],
              tracer: _Tracer, label: dict[int, str]) -> tuple[str, list[int], list[Step]]:  # fmt: skip
    if negated:
        return (f"the relation of '{test}' is {'empty' if not pairs else 'not empty'}", [], [])
    expr = stmt.expr
    hint = expr.name if isinstance(expr, cat_ast.Var) else (stmt.name or test)
    if test == "acyclic":
        cycle = shortest_cycle(pairs)
        if cycle is None:
            return ("", [], [])
        steps: list[Step] = []
        for x, y in zip(cycle, cycle[1:] + cycle[:1]):
            steps += tracer.why(expr, env, x, y, hint)
        return (_fmt_steps(steps, label, tracer.events), cycle, steps)
    if test == "irreflexive":
        loops = sorted(i for i, j in pairs if i == j)
        if not loops:
            return ("", [], [])
        steps = tracer.why(expr, env, loops[0], loops[0], hint)
        return (_fmt_steps(steps, label, tracer.events), [loops[0]], steps)
    if not pairs:
        return ("", [], [])
    a, b = sorted(pairs)[0]
    if isinstance(expr, cat_ast.Binop) and expr.op == "&":  # show both sides of the clash
        one = tracer.why(expr.left, env, a, b, hint)
        two = tracer.why(expr.right, env, a, b, hint)
        text = " and ".join(t for t in (_fmt_steps(one, label, tracer.events), _fmt_steps(two, label, tracer.events)) if t)
        return (text, [a, b] if a != b else [a], one + two)
    steps = tracer.why(expr, env, a, b, hint)
    text = _fmt_steps(steps, label, tracer.events) or label.get(a, str(a))
    return (text, [a, b] if a != b else [a], steps)


def extend(checker: Any, result: Result, deadline: float | None, graph_all: bool = False,
           explain: bool = True) -> Result:  # fmt: skip
    """The checker's hook: per-state witnesses (graph_all) and why-forbidden (Never verdicts)."""
    changes: dict[str, Any] = {}
    if graph_all and checker.state_models:
        changes["state_witnesses"] = tuple(
            checker.witness(checker.state_models[s]) for s in result.states if s in checker.state_models
        )
    if result.witness is None and result.observation in (SOMETIMES, ALWAYS):
        for model in checker.state_models.values():
            if z3.is_true(model.eval(checker.condition, model_completion=True)):
                changes["example"] = checker.witness(model)
                break
    if explain and result.observation == NEVER:
        if deadline is None or time.perf_counter() < deadline:
            why = explain_checker(checker, deadline)
            if why is not None:
                changes.update(forbidden_by=why.names, cycle=why.text, counterexample=why.witness)
    return replace(result, **changes) if changes else result


def explain(test: Any, spec: Any, skip_checks: frozenset[str] = frozenset(),
            timeout: float | None = None) -> Explanation | None:  # fmt: skip
    """Why-forbidden for one parsed test under one model (None when the outcome is reachable)."""
    program = lower(test, spec.target, spec.macros, registers=spec.catdep)
    checker = TestChecker(test, spec, program, frozenset(skip_checks))
    deadline = time.perf_counter() + timeout if timeout else None
    return explain_checker(checker, deadline)


__all__ = ["EMPTY", "Explanation", "explain", "explain_checker", "extend", "forbidding_checks", "shortest_cycle"]

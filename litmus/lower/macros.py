"""Lowering by a herd macro file (`.def`, e.g. the kernel's linux-kernel.def) instead of our
primitive tables: what `litmus check -m linux-kernel.cfg` uses."""

from __future__ import annotations

import z3

from litmus.errors import Span
from litmus.lower.c import Lowerer, ThreadState, Val
from litmus.lower.events import Program, bv
from litmus.lower.targets import RmwTags, Target
from litmus.syntax import ast
from litmus.syntax.macros import MacroFile, MCall, MCompare, MDeref, MInt, MName, MOp

_ATOMIC_OPS = {"+": "add", "-": "sub", "&": "and", "|": "or", "^": "xor", "&~": "andnot"}


class MacroLowerer(Lowerer):
    """Lowering driven by a herd macro file (linux-kernel.def) instead of PRIMITIVES.

    A primitive means what its macro says, expanded like herd does (arguments substituted,
    macros calling macros). Locks become herd's own lock events, which the base relations leave
    out of R, W, rf and co (the model's lock.cat builds those): whether a trylock succeeds or a
    spin_is_locked sees the lock held is a free choice, for the model to constrain.
    """

    def __init__(self, test: ast.LitmusTest, target: Target, macros: MacroFile) -> None:
        super().__init__(test, target)
        self.macros = macros
        self.choices: list[z3.BoolRef] = []

    def call(self, st: ThreadState, call: ast.Call) -> Val:
        macro = self.macros.macros.get(call.name)
        if macro is None:
            raise self._error(f"Unknown macro {call.name}", call.span)
        return self._expand(st, macro, [(a, None) for a in call.args], call)

    # An argument is a pair (expression, environment): environment None for the test's own C
    # expressions, else the parameter bindings of the macro the expression is written in.
    def _expand(self, st: ThreadState, macro, args: list, call: ast.Call) -> Val:  # type: ignore[no-untyped-def]
        if len(args) != len(macro.params):
            raise self._error(
                f"{call.name} takes {len(macro.params)} argument(s), got {len(args)}", call.span
            )
        env = dict(zip(macro.params, args))
        value = Val(bv(0))
        for item in macro.body:
            value = self._value((item, env), st, call)
        return value if macro.is_expr else Val(bv(0))

    def _value(self, arg, st: ThreadState, call: ast.Call) -> Val:  # type: ignore[no-untyped-def]
        expr, env = arg
        if env is None:
            return self.eval(st, expr)
        if isinstance(expr, MName):
            if expr.name not in env:
                raise self._error(f"macro {call.name}: unbound parameter '{expr.name}'", call.span)
            return self._value(env[expr.name], st, call)
        if isinstance(expr, MInt):
            return Val(bv(expr.value))
        if isinstance(expr, MDeref):  # `*e` as a value: a plain read of location e
            addr = self._value((expr.expr, env), st, call)
            event = self._emit(st, "R", self.target.plain, addr, None, "plain", call.span)
            return Val(event.value, frozenset({event.id}))
        if isinstance(expr, MCompare):
            a = self._value((expr.left, env), st, call)
            b = self._value((expr.right, env), st, call)
            x, y = a.term, b.term
            holds = {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[expr.op]
            return Val(z3.If(holds, bv(1), bv(0)), a.deps | b.deps)
        if isinstance(expr, MCall):
            if not expr.name.startswith("__"):
                macro = self.macros.macros.get(expr.name)
                if macro is None:
                    raise self._error(f"Unknown macro {expr.name}", call.span)
                return self._expand(st, macro, [(a, env) for a in expr.args], call)
            return self._instruction(st, expr, env, call)
        raise self._error(f"macro {call.name}: an operator is not a value", call.span)

    def _location(self, arg, st: ThreadState, call: ast.Call) -> Val:  # type: ignore[no-untyped-def]
        """The address an instruction's location argument denotes (`*x`, or pointer x)."""
        expr, env = arg
        if env is None:
            return self._location_arg(st, expr)
        if isinstance(expr, MName) and expr.name in env:
            return self._location(env[expr.name], st, call)
        if isinstance(expr, MDeref):
            return self._value((expr.expr, env), st, call)
        return self._value(arg, st, call)

    def _op(self, arg, call: ast.Call) -> str:  # type: ignore[no-untyped-def]
        expr, env = arg
        while env is not None and isinstance(expr, MName) and expr.name in env:
            expr, env = env[expr.name]
        if isinstance(expr, MOp) and expr.symbol in _ATOMIC_OPS:
            return _ATOMIC_OPS[expr.symbol]
        raise self._error(f"macro {call.name}: expected an operator (+ - & | ^ &~)", call.span)

    def _instruction(self, st: ThreadState, ins: MCall, env: dict, call: ast.Call) -> Val:
        name, tag, span = call.name, ins.tag, call.span
        args = [(a, env) for a in ins.args]
        expected = _INSTRUCTION_ARITY.get(ins.name)
        if expected is None:
            raise self._error(f"macro {name}: unknown herd instruction {ins.name}", span)
        if len(args) != expected:
            raise self._error(f"macro {name}: {ins.name} takes {expected} argument(s)", span)
        tags = (tag,) if tag else ()
        if ins.name == "__fence":
            self._emit(st, "F", tags, None, None, name, span)
            return Val(bv(0))
        addr = self._location(args[0], st, call)
        if ins.name == "__load":
            event = self._emit(st, "R", tags, addr, None, name, span)
            return Val(event.value, frozenset({event.id}))
        if ins.name == "__store":
            self._emit(st, "W", tags, addr, self._value(args[1], st, call), name, span)
            return Val(bv(0))
        if ins.name == "__srcu":
            self._emit(st, "F", tags, addr, None, name, span)
            return Val(bv(0))
        if ins.name in ("__lock", "__unlock", "__trylock", "__islocked"):
            return self._herd_lock(st, ins.name[2:], addr, name, span)
        rmw_tags = RmwTags(tags, tags)
        if ins.name == "__xchg":
            return self._rmw(st, "xchg", "", addr, [self._value(args[1], st, call)], name, span, "old", rmw_tags)
        if ins.name == "__cmpxchg":
            values = [self._value(a, st, call) for a in args[1:]]
            return self._rmw(st, "cmpxchg", "", addr, values, name, span, "old", rmw_tags)
        if ins.name == "__atomic_add_unless":
            values = [self._value(a, st, call) for a in args[1:]]
            return self._rmw(st, "add_unless", "", addr, values, name, span, "did_update", rmw_tags)
        update = self._op(args[1], call)
        amount = self._value(args[2], st, call)
        returns = {"__atomic_op": "none", "__atomic_op_return": "new", "__atomic_fetch_op": "old"}[ins.name]
        return self._rmw(st, update, "", addr, [amount], name, span, returns, rmw_tags)

    def _herd_lock(self, st: ThreadState, op: str, addr: Val, name: str, span: Span | None) -> Val:
        """herd's lock events, which carry no values; which way a trylock or spin_is_locked
        goes is chosen freely."""
        if op == "unlock":
            self._emit(st, "W", ("UL",), addr, None, name, span)
            return Val(bv(0))
        read = self._emit(st, "R", (), addr, None, name, span)
        read.value = None
        if op == "lock":
            read.tags = frozenset({"LKR"})
            self._emit(st, "W", ("LKW",), addr, None, name, span)
            return Val(bv(0))
        choice = z3.Bool(f"{op}_{read.id}")
        self.choices.append(choice)
        if op == "islocked":
            read.cond_tags.update(RL=choice, RU=z3.Not(choice))
            return Val(z3.If(choice, bv(1), bv(0)), frozenset({read.id}))
        read.cond_tags.update(LKR=choice, LF=z3.Not(choice))
        self._emit(st, "W", ("LKW",), addr, None, name, span, guard=choice)
        return Val(z3.If(choice, bv(1), bv(0)), frozenset({read.id}))

    def lower(self) -> Program:
        program = super().lower()
        program.choices = list(self.choices)
        program.model_locks = True
        return program


_INSTRUCTION_ARITY = {
    "__load": 1, "__store": 2, "__fence": 0, "__srcu": 1, "__xchg": 2, "__cmpxchg": 3,
    "__atomic_op": 3, "__atomic_op_return": 3, "__atomic_fetch_op": 3, "__atomic_add_unless": 3,
    "__lock": 1, "__unlock": 1, "__trylock": 1, "__islocked": 1,
}  # fmt: skip

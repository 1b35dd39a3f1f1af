"""Lowering a C litmus test: the threads' statements -> a Program of guarded events, for one
target (the primitive tables in targets.py say which events and tags each primitive becomes)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import z3

from litmus.errors import LitmusError, NotMeaningful, Span
from litmus.lower.events import WORD, Event, Program, as_bool, bv, guard_and
from litmus.lower.memory import Memory
from litmus.lower.targets import (
    LOCK_ORDER,
    LVALUE_PRIMITIVES,
    PRIMITIVES,
    SRCU_PRIMITIVES,
    UNLOCK_ORDER,
    RmwTags,
    Target,
)
from litmus.syntax import ast


@dataclass
class Val:
    """A value during lowering: its term and the reads it depends on (for addr/data/ctrl)."""

    term: z3.BitVecRef
    deps: frozenset[int] = frozenset()


@dataclass
class ThreadState:
    proc: int
    regs: dict[str, Val]
    guard: z3.BoolRef | bool = True
    branch: tuple[tuple[int, bool], ...] = ()
    ctrl: frozenset[int] = frozenset()
    events: list[int] = field(default_factory=list)
    batch: int | None = None  # open litmus_batch_begin, if any


class Lowerer:
    """Turns one LitmusTest into a Program for one Target."""

    def __init__(self, test: ast.LitmusTest, target: Target) -> None:
        self.test = test
        self.target = target
        self.events: list[Event] = []
        self.rmw: list[tuple[int, int]] = []
        self.constraints: list[z3.BoolRef] = []
        self._if_ids = itertools.count()
        self._batch_ids = itertools.count()
        self.memory = Memory(test, (p.name for t in test.threads for p in t.params))
        self.addresses = self.memory.addresses

    # -- errors
    def _error(self, message: str, span: Span | None) -> LitmusError:
        return LitmusError(message, self.test.path, span, self.test.source)

    def _emit(
        self, st: ThreadState, kind: str, tags: tuple[str, ...], addr: Val | None,
        value: Val | None, primitive: str, span: Span | None, guard: z3.BoolRef | bool = True,
    ) -> Event:  # fmt: skip
        eid = len(self.events)
        locs = frozenset()
        if addr is not None:
            locs = self.memory.locations_of(addr.term)
            if not locs:
                raise self._error(f"{primitive} accesses an address that is no location", span)
            if len(locs) > 1:
                # A computed address must denote some location of the test.
                valid = z3.Or([addr.term == bv(self.addresses[n]) for n in sorted(locs)])
                self.constraints.append(z3.Implies(as_bool(guard_and(st.guard, guard)), valid))
        if kind == "R":
            value = Val(z3.BitVec(f"v{eid}", WORD), frozenset({eid}))
        event = Event(
            id=eid, thread=st.proc, kind=kind, tags=frozenset(tags), guard=guard_and(st.guard, guard),
            addr=addr.term if addr else None, value=value.term if value else None, locs=locs,
            addr_deps=addr.deps if addr else frozenset(),
            data_deps=value.deps if (value is not None and kind == "W") else frozenset(),
            ctrl_deps=st.ctrl, branch=st.branch, primitive=primitive, span=span, batch=st.batch,
        )  # fmt: skip
        self.events.append(event)
        st.events.append(eid)
        return event

    def _fence(self, st: ThreadState, tags: tuple[str, ...] | None, name: str, span: Span | None,
               guard: z3.BoolRef | bool = True) -> None:  # fmt: skip
        if tags is not None:
            self._emit(st, "F", tags, None, None, name, span, guard)

    # -- expressions
    def eval(self, st: ThreadState, expr: ast.Expr) -> Val:
        if isinstance(expr, ast.Const):
            return Val(bv(expr.value))
        if isinstance(expr, ast.Name):
            if expr.name in st.regs:
                return st.regs[expr.name]
            if expr.name in self.addresses:
                return Val(bv(self.addresses[expr.name]))
            raise self._error(
                f"undefined register or location '{expr.name}' in P{st.proc}", expr.span
            )
        if isinstance(expr, ast.AddrOf):
            if expr.name not in self.addresses:
                raise self._error(f"unknown location '{expr.name}'", expr.span)
            return Val(bv(self.addresses[expr.name]))
        if isinstance(expr, ast.Cast):
            return self.eval(st, expr.expr)
        if isinstance(expr, ast.Deref):  # plain read
            addr = self.eval(st, expr.expr)
            event = self._emit(st, "R", self.target.plain, addr, None, "plain", expr.span)
            return Val(event.value, frozenset({event.id}))
        if isinstance(expr, ast.Unary):
            v = self.eval(st, expr.expr)
            if expr.op == "-":
                return Val(-v.term, v.deps)
            if expr.op == "~":
                return Val(~v.term, v.deps)
            if expr.op == "!":
                return Val(z3.If(v.term == 0, bv(1), bv(0)), v.deps)
            raise self._error(f"unsupported operator '{expr.op}'", expr.span)
        if isinstance(expr, ast.Binary):
            return self._binary(st, expr)
        if isinstance(expr, ast.Call):
            return self.call(st, expr)
        raise self._error("unsupported expression", getattr(expr, "span", None))

    def _binary(self, st: ThreadState, expr: ast.Binary) -> Val:
        a, b = self.eval(st, expr.left), self.eval(st, expr.right)
        x, y = a.term, b.term
        arith = {
            "+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
            "%": lambda: z3.SRem(x, y), "&": lambda: x & y, "|": lambda: x | y,
            "^": lambda: x ^ y, "<<": lambda: x << y, ">>": lambda: x >> y,
        }  # fmt: skip
        compare = {
            "==": lambda: x == y, "!=": lambda: x != y, "<": lambda: x < y, "<=": lambda: x <= y,
            ">": lambda: x > y, ">=": lambda: x >= y,
            "&&": lambda: z3.And(x != 0, y != 0), "||": lambda: z3.Or(x != 0, y != 0),
        }  # fmt: skip
        deps = a.deps | b.deps
        if expr.op in arith:
            return Val(arith[expr.op](), deps)
        if expr.op in compare:
            return Val(z3.If(compare[expr.op](), bv(1), bv(0)), deps)
        raise self._error(f"unsupported operator '{expr.op}'", expr.span)

    def _location_arg(self, st: ThreadState, expr: ast.Expr, lvalue: bool = True) -> Val:
        """The address a primitive acts on. An lvalue argument (`READ_ONCE(*x)`): `*x` and `x`
        both denote x's address. A pointer argument (`smp_load_acquire(x)`): the kernel's .def
        dereferences it, so `smp_load_acquire(*p)` loads through the pointer stored at p, as in
        herd (`*(*p)`)."""
        if isinstance(expr, ast.Deref) and lvalue:
            return self.eval(st, expr.expr)
        return self.eval(st, expr)

    # -- primitives
    def call(self, st: ThreadState, call: ast.Call) -> Val:
        name = call.name
        if name in self.target.not_meaningful:
            raise NotMeaningful(name, self.target.name)
        prim = PRIMITIVES.get(name)
        if prim is None:
            if name in SRCU_PRIMITIVES:
                if not self.target.srcu:
                    raise NotMeaningful(name, self.target.name)
                return self._srcu(st, call)
            raise self._error(f"unknown primitive '{name}'", call.span)
        if len(call.args) != len(prim.args):
            raise self._error(
                f"{name} takes {len(prim.args)} argument(s), got {len(call.args)}", call.span
            )
        t = self.target
        span = call.span
        if prim.op == "fence":
            self._fence(st, t.fence[name], name, span)
            return Val(bv(0))
        if prim.op in ("batch_begin", "batch_end"):
            return self._batch(st, prim.op == "batch_begin", name, span)
        ptr_index = prim.args.index("p")
        addr = self._location_arg(st, call.args[ptr_index], lvalue=name in LVALUE_PRIMITIVES)
        values = [self.eval(st, a) for i, a in enumerate(call.args) if i != ptr_index]
        if prim.op == "load":
            event = self._emit(st, "R", t.load[prim.order], addr, None, name, span)
            return Val(event.value, frozenset({event.id}))
        if prim.op == "store":
            if prim.order == "mb":  # smp_store_mb: a store then a full fence
                if t.name == "tso":  # x86 implements it with xchg: a locked RMW
                    self._rmw(st, "xchg", "mb", addr, values, name, span)
                    return Val(bv(0))
                self._emit(st, "W", t.store["once"], addr, values[0], name, span)
                self._fence(st, t.store_mb_fence, name, span)
                return Val(bv(0))
            self._emit(st, "W", t.store[prim.order], addr, values[0], name, span)
            return Val(bv(0))
        if prim.op == "rmw":
            return self._rmw(st, prim.rmw or "", prim.order, addr, values, name, span, prim.returns)
        if t.kernel_locks and prim.op in ("lock", "unlock", "trylock", "islocked"):
            return self._kernel_lock(st, prim.op, addr, name, span)
        if prim.op == "lock":
            self._rmw(st, "lock", LOCK_ORDER, addr, [], name, span)
            return Val(bv(0))
        if prim.op == "unlock":
            self._emit(st, "W", t.store[UNLOCK_ORDER], addr, Val(bv(0)), name, span)
            return Val(bv(0))
        if prim.op == "trylock":
            return self._rmw(st, "cmpxchg", LOCK_ORDER, addr, [Val(bv(0)), Val(bv(1))], name,
                             span, "did_update")  # fmt: skip
        if prim.op == "islocked":
            event = self._emit(st, "R", t.load["once"], addr, None, name, span)
            return Val(z3.If(event.value != 0, bv(1), bv(0)), frozenset({event.id}))
        raise self._error(f"primitive '{name}' is not supported", span)

    def _kernel_lock(self, st: ThreadState, op: str, addr: Val, name: str, span: Span | None) -> Val:
        """LKMM's lock events: the lock word holds 1 while held, 0 when free."""
        if op == "unlock":
            self._emit(st, "W", ("UL",), addr, Val(bv(0)), name, span)
            return Val(bv(0))
        if op == "islocked":
            read = self._emit(st, "R", (), addr, None, name, span)
            read.cond_tags.update(RL=read.value != 0, RU=read.value == 0)
            return Val(z3.If(read.value != 0, bv(1), bv(0)), frozenset({read.id}))
        read = self._emit(st, "R", (), addr, None, name, span)
        free = read.value == 0
        if op == "lock":  # a held lock spins: only executions that find it free go on
            self.constraints.append(z3.Implies(as_bool(read.guard), free))
            read.tags = frozenset({"LKR"})
            taken: z3.BoolRef | bool = True
        else:  # trylock: takes the lock when free, else fails (LF) and writes nothing
            read.cond_tags.update(LKR=free, LF=z3.Not(free))
            taken = free
        write = self._emit(st, "W", ("LKW",), addr, Val(bv(1)), name, span, guard=taken)
        self.rmw.append((read.id, write.id))
        return Val(z3.If(free, bv(1), bv(0)), frozenset({read.id}))

    def _srcu(self, st: ThreadState, call: ast.Call) -> Val:
        """SRCU: lock reads the srcu_struct, unlock writes the index back, sync is an event on it."""
        name, args, span = call.name, call.args, call.span
        expected = 2 if name in ("srcu_read_unlock", "srcu_up_read") else 1
        if len(args) != expected:
            raise self._error(f"{name} takes {expected} argument(s), got {len(args)}", span)
        addr = self._location_arg(st, args[0])
        if name in ("srcu_read_lock", "srcu_down_read"):
            read = self._emit(st, "R", ("srcu-lock",), addr, None, name, span)
            return Val(read.value, frozenset({read.id}))
        if name in ("srcu_read_unlock", "srcu_up_read"):
            self._emit(st, "W", ("srcu-unlock",), addr, self.eval(st, args[1]), name, span)
            return Val(bv(0))
        self._emit(st, "F", ("sync-srcu",), addr, None, name, span)
        return Val(bv(0))

    def _batch(self, st: ThreadState, begin: bool, name: str, span: Span | None) -> Val:
        if begin:
            if st.batch is not None:
                raise self._error("litmus_batch_begin inside a batch (batches do not nest)", span)
            st.batch = next(self._batch_ids)
        elif st.batch is None:
            raise self._error("litmus_batch_end without litmus_batch_begin", span)
        else:
            st.batch = None
        return Val(bv(0))

    def _rmw(
        self, st: ThreadState, update: str, order: str, addr: Val, values: list[Val],
        name: str, span: Span | None, returns: str = "none", tags: RmwTags | None = None,
    ) -> Val:  # fmt: skip
        tags = tags or self.target.rmw[order]
        if self.target.rmw_tag:
            extra = (self.target.rmw_tag,)
            tags = RmwTags(tags.read + extra, tags.write + extra, tags.fence_after, tags.fence_before)
        if tags.fence_before is not None:
            self._fence(st, tags.fence_before, name, span)
        read = self._emit(st, "R", tags.read, addr, None, name, span)
        old = Val(read.value, frozenset({read.id}))
        succeeds: z3.BoolRef | bool = True
        if update == "lock":
            # spin_lock: only executions where the lock was free take it (a held lock spins).
            self.constraints.append(z3.Implies(as_bool(read.guard), read.value == 0))
            new = Val(bv(1))
        elif update == "xchg":
            new = values[0]
        elif update == "cmpxchg":
            expected, desired = values
            succeeds = old.term == expected.term
            new = desired
        elif update == "add_unless":
            amount, unless = values
            succeeds = old.term != unless.term
            new = Val(old.term + amount.term, old.deps | amount.deps)
        else:
            new = self._arith_update(update, old, values)
        write = self._emit(st, "W", tags.write, addr, new, name, span, guard=succeeds)
        self.rmw.append((read.id, write.id))
        if tags.fence_after is not None:
            self._fence(st, tags.fence_after, name, span, guard=succeeds)
        if returns == "old":
            return old
        if returns == "new":
            return Val(new.term, new.deps)
        if returns == "new_is_zero":
            return Val(z3.If(new.term == 0, bv(1), bv(0)), new.deps)
        if returns == "new_is_negative":
            return Val(z3.If(new.term < 0, bv(1), bv(0)), new.deps)
        if returns == "did_update":
            return Val(z3.If(as_bool(succeeds), bv(1), bv(0)), old.deps)
        return Val(bv(0))

    @staticmethod
    def _arith_update(update: str, old: Val, values: list[Val]) -> Val:
        one = Val(bv(1))
        amount = values[0] if values else one
        x, y = old.term, amount.term
        result = {
            "add": x + y, "sub": x - y, "and": x & y, "or": x | y, "xor": x ^ y,
            "andnot": x & ~y, "inc": x + 1, "dec": x - 1,
        }[update]  # fmt: skip
        return Val(result, old.deps | amount.deps)

    # -- statements
    def stmts(self, st: ThreadState, body: tuple[ast.Stmt, ...]) -> None:
        for stmt in body:
            self.stmt(st, stmt)

    def stmt(self, st: ThreadState, stmt: ast.Stmt) -> None:
        if isinstance(stmt, ast.Decl):
            if stmt.init is not None:
                # `int r4 = (r1 != r4);` reads r4 before it has a value: registers start at 0
                st.regs.setdefault(stmt.name, Val(bv(0)))
                st.regs[stmt.name] = self.eval(st, stmt.init)
            elif stmt.name not in st.regs:
                st.regs[stmt.name] = Val(bv(0))
        elif isinstance(stmt, ast.Assign):
            self._assign(st, stmt)
        elif isinstance(stmt, ast.ExprStmt):
            self.eval(st, stmt.expr)
        elif isinstance(stmt, ast.If):
            self._if(st, stmt)
        else:
            raise self._error("unsupported statement", getattr(stmt, "span", None))

    def _assign(self, st: ThreadState, stmt: ast.Assign) -> None:
        target = stmt.target
        if isinstance(target, ast.Name):
            if target.name in self.addresses and target.name not in st.regs:
                raise self._error(
                    f"cannot assign to location '{target.name}'; write *{target.name} = ...",
                    target.span,
                )
            st.regs[target.name] = self.eval(st, stmt.value)
            return
        if isinstance(target, ast.Deref):  # plain store
            value = self.eval(st, stmt.value)
            addr = self.eval(st, target.expr)
            self._emit(st, "W", self.target.plain, addr, value, "plain", stmt.span)
            return
        raise self._error("cannot assign to this expression", stmt.span)

    def _if(self, st: ThreadState, stmt: ast.If) -> None:
        cond = self.eval(st, stmt.cond)
        c = z3.simplify(cond.term != 0)
        if z3.is_true(c) or z3.is_false(c):
            # decided statically: lower only the taken side, which still depends on every read
            # behind the condition (herd's ctrl does not look at values: `if (r1 | 1)`)
            saved_ctrl = st.ctrl
            st.ctrl = st.ctrl | cond.deps
            self.stmts(st, stmt.then if z3.is_true(c) else stmt.orelse)
            st.ctrl = saved_ctrl
            return
        if_id = next(self._if_ids)
        saved = (st.guard, st.branch, st.ctrl)
        before = dict(st.regs)
        sides: list[dict[str, Val]] = []
        for side, body in ((True, stmt.then), (False, stmt.orelse)):
            st.regs = dict(before)
            st.guard = guard_and(saved[0], c if side else z3.Not(c))
            st.branch = saved[1] + ((if_id, side),)
            st.ctrl = saved[2] | cond.deps
            open_batch = st.batch
            self.stmts(st, body)
            if st.batch != open_batch:
                raise self._error("a batch must begin and end in the same block", stmt.span)
            sides.append(st.regs)
        st.guard, st.branch, st.ctrl = saved
        then_regs, else_regs = sides
        merged: dict[str, Val] = {}
        for reg in set(then_regs) | set(else_regs):
            a = then_regs.get(reg, Val(bv(0)))
            b = else_regs.get(reg, Val(bv(0)))
            if a is b:
                merged[reg] = a
            else:
                merged[reg] = Val(z3.If(c, a.term, b.term), a.deps | b.deps)
        st.regs = merged

    # -- the whole test
    def lower(self) -> Program:
        self.events.extend(self.memory.initial_writes(len(self.events)))
        reg_init: dict[tuple[int, str], ast.InitEntry] = {
            (e.target.proc, e.target.reg): e for e in self.test.init if isinstance(e.target, ast.RegLoc)
        }
        threads: list[list[int]] = []
        final_regs: dict[tuple[int, str], z3.BitVecRef] = {}
        for thread in self.test.threads:
            regs = {
                reg: Val(self.memory.value_of(entry.value))
                for (proc, reg), entry in reg_init.items()
                if proc == thread.proc
            }
            st = ThreadState(proc=thread.proc, regs=regs)
            self.stmts(st, thread.body)
            if st.batch is not None:
                raise self._error(f"P{thread.proc}: litmus_batch_begin without litmus_batch_end", thread.span)
            threads.append(st.events)
            for reg, val in st.regs.items():
                final_regs[(thread.proc, reg)] = val.term
        return Program(
            events=self.events, threads=threads, rmw=self.rmw, addresses=self.addresses,
            final_regs=final_regs, constraints=self.constraints,
            thread_names=[t.proc for t in self.test.threads],
        )  # fmt: skip



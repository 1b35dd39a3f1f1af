"""The symbolic machine every assembly dialect runs on: registers holding 64-bit terms with the
reads their values depend on, memory accesses and fences as guarded events, and conditional
branches explored on both sides (forward branches only: herd's tests are loop-free).

A dialect's semantics drives a `Core` (one thread on one path) instruction by instruction;
`Machine.lower` runs every thread on every path and assembles the Program.

Two levels of detail. By default an instruction makes only its memory and fence events, and
addr/data/ctrl come from register dataflow here. For a model that computes dependencies itself
(herd's `catdep`, as aarch64.cat does) the machine also makes herd's register events (Rreg,
Wreg; DATA on the reads that give a written value), branch commits (B; BCC for conditional
branches) and the relations inside and between instructions: iico_data, iico_ctrl, iico_order,
rf-reg, same-instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

import z3

from litmus.errors import LitmusError, Span
from litmus.lower.events import WORD, Event, Program, as_bool, bv, guard_and
from litmus.lower.memory import Memory
from litmus.syntax import ast

@dataclass(frozen=True)
class Val:
    """A value: its term, the reads it depends on (for addr/data/ctrl), the reads it depends on
    only through a selection's condition (herd's pick dependencies, e.g. through CSEL's flags:
    they order only later writes), and (register events only) the events of the current
    instruction it flows from."""

    term: z3.BitVecRef
    deps: frozenset[int] = frozenset()
    pick: frozenset[int] = frozenset()
    src: frozenset[int] = frozenset()

    def with_term(self, term: z3.BitVecRef) -> Val:
        """The same dependencies, another term (a width's mask, a shift)."""
        return replace(self, term=term)


def const(value: int) -> Val:
    return Val(bv(value))


def int32(term: z3.BitVecRef) -> z3.BitVecRef:
    """`term` as herd holds a value of a test that is not mixed-size (X86, AArch64): a 32-bit
    two's complement integer, whatever the register's width, so `SUB W0,W0,#1` from 0 and
    `DEC EAX` give -1 and arithmetic wraps at 32 bits (herd7 7.58 prints `0:X0=-1;`). A
    numeral is wrapped here; a read's value (a write's or the initial one) and a term already
    wrapped are left as they are."""
    if z3.is_bv_value(term):
        n = term.as_long() & 0xFFFFFFFF
        return bv(n - (1 << 32) if n >> 31 else n)
    if z3.is_const(term) or z3.is_app_of(term, z3.Z3_OP_SIGN_EXT):
        return term
    return z3.SignExt(WORD - 32, z3.Extract(31, 0, term))


def joined(term: z3.BitVecRef, *vals: Val) -> Val:
    """A value computed from `vals`: it depends on everything they depend on."""
    deps: frozenset[int] = frozenset()
    pick: frozenset[int] = frozenset()
    src: frozenset[int] = frozenset()
    for v in vals:
        deps |= v.deps
        pick |= v.pick
        src |= v.src
    return Val(term, deps, pick, src)


class _Split(Exception):
    """An instruction whose effect depends on something known only at run time, or that herd
    builds in several alternative ways: run it once per alternative, each on its own path."""

    def __init__(self, alternatives: list[z3.BoolRef]) -> None:
        self.alternatives = alternatives


@dataclass
class Path:
    """One thread on one path through its branches."""

    proc: int
    pc: int
    regs: dict[str, Val]
    guard: z3.BoolRef | bool = True
    branch: tuple[tuple[int, int], ...] = ()  # (split id, alternative): other alternatives exclude
    ctrl: frozenset[int] = frozenset()  # reads that decided a branch before this point
    flag_operands: tuple[Val, Val] | None = None  # what the last CMP compared (AArch64's NZCV)
    exclusive: Event | None = None  # the last load-exclusive, for its store-exclusive's rmw
    decisions: tuple[int, ...] = ()  # alternatives chosen for the instruction being re-run
    last_write: dict[str, int] = field(default_factory=dict)  # register -> its last Wreg event
    # location -> what its last store on this path depends on: a later load of it depends on
    # that too (herd's lrs, dependency through memory), whoever it reads from
    last_store: dict[str, Val] = field(default_factory=dict)
    events: list[int] = field(default_factory=list)
    widths: dict[str, int] = field(default_factory=dict)  # register -> width of its last write

    def fork(self, **changes: Any) -> Path:
        """A copy to run down another branch or alternative, with its own registers and stores."""
        return replace(self, regs=dict(self.regs), last_write=dict(self.last_write),
                       last_store=dict(self.last_store), widths=dict(self.widths), events=[], **changes)  # fmt: skip


class Core:
    """What an instruction may do on its path: registers, memory, fences, branches."""

    def __init__(self, machine: Machine, path: Path, instruction_text: str, span: Span | None, instance: int) -> None:
        self.machine = machine
        self.path = path
        self.text = instruction_text
        self.span = span
        self.instance = instance
        self.jump: tuple[z3.BoolRef | bool, frozenset[int], str] | None = None
        self._decided = 0

    def error(self, message: str) -> LitmusError:
        return self.machine.error(message, self.span)

    # -- alternatives
    def decide(self, condition: z3.BoolRef) -> bool:
        """Which way `condition` goes on this path: known now, or the path splits in two and
        the instruction runs on each side (a selection, not a branch: no ctrl dependency)."""
        known = z3.simplify(condition)
        if z3.is_true(known) or z3.is_false(known):
            return z3.is_true(known)
        return self._alternative([condition, z3.Not(condition)]) == 0

    def variant(self, count: int) -> int:
        """Which of `count` ways herd builds this instruction (each its own execution)."""
        return self._alternative([z3.Bool(f"variant_{self.instance}_{self._decided}_{k}") for k in range(count)])

    def _alternative(self, alternatives: list[z3.BoolRef]) -> int:
        if self._decided < len(self.path.decisions):
            choice = self.path.decisions[self._decided]
            self._decided += 1
            return choice
        raise _Split(alternatives)

    def assume(self, condition: z3.BoolRef) -> None:
        """This path happens only when `condition` holds (a variant for some values only)."""
        self.machine.constraints.append(z3.Implies(as_bool(self.path.guard), condition))

    # -- registers
    def get(self, name: str, data: bool = False, ctrl: Iterable[int] = ()) -> Val:
        """Read a register; `data`: the read gives the value of a write (herd's DATA set);
        `ctrl`: commit events of this instruction the read waits for (iico_ctrl)."""
        value = self.machine.register_on(self.path, name)
        if not self.machine.registers:
            return value
        tags = ("Rreg", "DATA") if data else ("Rreg",)
        event = self.machine.emit(self.path, "Rreg", tags, None, None, self.text, self.span, self.instance)
        source = self.path.last_write.get(name)
        if source is not None:
            self.machine.rf_reg.append((source, event.id))
        self._edges(self.machine.iico_ctrl, ctrl, event.id)
        return replace(value, src=frozenset({event.id}))

    def set(self, name: str, value: Val, ctrl: Iterable[int] = (), width: int = 64) -> None:
        """Write a register; `ctrl`: commit events of this instruction it waits for; `width`:
        the size written (herd orders the final values of 32-bit writes as unsigned words)."""
        self.path.widths[name] = width
        if self.machine.signed32:
            value = value.with_term(int32(value.term))
        self.path.regs[name] = replace(value, src=frozenset())
        if self.machine.registers:
            event = self.machine.emit(self.path, "Wreg", ("Wreg",), None, None, self.text, self.span, self.instance)
            self._edges(self.machine.iico_data, value.src, event.id)
            self._edges(self.machine.iico_ctrl, ctrl, event.id)
            self.path.last_write[name] = event.id

    def commit(self, condition: Val, conditional_branch: bool) -> Val:
        """herd's branching event deciding on `condition` (BCC for a conditional branch
        instruction; a selection's or a CAS's comparison otherwise): returns it as a source."""
        if not self.machine.registers:
            return condition
        tags = ("B", "BCC") if conditional_branch else ("B",)
        event = self.machine.emit(self.path, "B", tags, None, None, self.text, self.span, self.instance)
        self._edges(self.machine.iico_data, condition.src, event.id)
        return replace(condition, src=frozenset({event.id}))

    # -- memory
    def load(self, addr: Val, tags: tuple[str, ...] = ()) -> tuple[Val, Event]:
        event = self.machine.emit(self.path, "R", tags, addr, None, self.text, self.span, self.instance)
        self._edges(self.machine.iico_data, addr.src, event.id)
        through_memory = Val(event.value)  # type: ignore[arg-type]
        if self.machine.memory_deps:
            through_memory = self.path.last_store.get(event.static_loc or "", through_memory)
        value = Val(event.value, frozenset({event.id}) | through_memory.deps, through_memory.pick, frozenset({event.id}))  # type: ignore[arg-type]
        return value, event

    def store(self, addr: Val, value: Val, tags: tuple[str, ...] = (), guard: z3.BoolRef | bool = True,
              ctrl: Iterable[int] = (), width: int = 64) -> Event:  # fmt: skip
        """`width`: the size stored (herd orders the final values of 32-bit stores as unsigned
        words; X86_64's it orders signed whatever their size: X86 stores pass none)."""
        if self.machine.signed32:
            value = value.with_term(int32(value.term))
        event = self.machine.emit(self.path, "W", tags, addr, value, self.text, self.span, self.instance, guard)
        self._edges(self.machine.iico_data, addr.src | value.src, event.id)
        self._edges(self.machine.iico_ctrl, ctrl, event.id)
        if width < 64:
            self.machine.narrow_stores.update(event.locs)
        if event.static_loc is not None:
            self.path.last_store[event.static_loc] = joined(value.term, addr, value)
        else:  # it may be any of them: what a later load depends on through memory is unknown
            for loc in event.locs:
                self.path.last_store.pop(loc, None)
        return event

    def fence(self, tags: tuple[str, ...]) -> Event:
        return self.machine.emit(self.path, "F", tags, None, None, self.text, self.span, self.instance)

    def rmw(self, read: Event, write: Event, atomic: bool = True) -> None:
        """`read` and `write` form an rmw pair; `atomic`: one instruction's (herd's amo), else a
        load-/store-exclusive pair (lxsx)."""
        self.machine.rmw.append((read.id, write.id))
        if atomic:
            self.machine.amo.append((read.id, write.id))

    def order(self, first: Event, second: Event) -> None:
        """herd's iico_order: `first` before `second` inside the instruction, no data between."""
        if self.machine.registers:
            self.machine.iico_order.append((first.id, second.id))

    def branch(self, taken: z3.BoolRef | bool, deps: frozenset[int], label: str) -> None:
        """Jump to `label` when `taken`; every later event depends on `deps` (herd's ctrl)."""
        self.jump = (taken, deps, label)

    @staticmethod
    def _edges(relation: list[tuple[int, int]], sources: Iterable[int], target: int) -> None:
        relation.extend((s, target) for s in sources)


@dataclass
class Machine:
    """Runs a dialect's semantics over every thread of an assembly test."""

    test: ast.LitmusTest
    execute: Callable[[Core, object], None]  # the dialect: one instruction on one path
    canonical: Callable[[str], str] = lambda name: name  # register name as herd prints it
    registers: bool = False  # herd's register events and intra-instruction relations (catdep)
    signed32: bool = False  # values are 32-bit signed integers (int32), as herd's in X86 and AArch64 tests
    # a load's value depends on what the last store to its location on this path depended on
    # (herd's lrs; not on X86, where herd's dependencies never go through memory). The grounding
    # of values (engine/encode.py) reads these dependencies too: a false one through memory makes
    # it see a circle of values that herd solves (ADD [x] after ADD [x] reading a later write)
    memory_deps: bool = True
    events: list[Event] = field(default_factory=list)
    rmw: list[tuple[int, int]] = field(default_factory=list)
    amo: list[tuple[int, int]] = field(default_factory=list)  # the rmw pairs of single atomics
    iico_data: list[tuple[int, int]] = field(default_factory=list)
    iico_ctrl: list[tuple[int, int]] = field(default_factory=list)
    iico_order: list[tuple[int, int]] = field(default_factory=list)
    rf_reg: list[tuple[int, int]] = field(default_factory=list)
    constraints: list[z3.BoolRef] = field(default_factory=list)
    choices: list[z3.BoolRef] = field(default_factory=list)  # e.g. a store-exclusive succeeding
    narrow_stores: set[str] = field(default_factory=set)  # locations a store of under 64 bits may write

    def __post_init__(self) -> None:
        self.memory = Memory(self.test, self._code_locations())
        self.addresses = self.memory.addresses
        self._splits = 0
        self._instances = 0

    def error(self, message: str, span: Span | None) -> LitmusError:
        return LitmusError(message, self.test.path, span, self.test.source)

    def choice(self, name: str) -> z3.BoolRef:
        """A free choice of the machine that tells executions apart."""
        var = z3.Bool(name)
        self.choices.append(var)
        return var

    # -- locations and the initial state
    def _code_locations(self) -> list[str]:
        """Locations the code names itself (X86's `[x]`, `(x)`)."""
        from litmus.arch.asm import Instruction, Mem, Sym

        return [
            op.base.name
            for thread in self.test.threads for line in thread.code if isinstance(line, Instruction)  # type: ignore[attr-defined]
            for op in line.operands if isinstance(op, Mem) and isinstance(op.base, Sym)
        ]  # fmt: skip

    def address(self, name: str, span: Span | None) -> Val:
        if name not in self.addresses:
            raise self.error(f"unknown location '{name}'", span)
        return const(self.addresses[name])

    def register_on(self, path: Path, name: str) -> Val:
        """A register's value on `path` (its initial one if the path has not written it), read
        without an event."""
        return path.regs.get(name) or self.initial_register(path.proc, name)

    def initial_register(self, proc: int, name: str) -> Val:
        for entry in self.test.init:
            if isinstance(entry.target, ast.RegLoc) and entry.target.proc == proc:
                if self.canonical(entry.target.reg) == name:
                    return Val(self.memory.value_of(entry.value))
        return const(0)

    # -- events
    def emit(self, path: Path, kind: str, tags: tuple[str, ...], addr: Val | None, value: Val | None,
             text: str, span: Span | None, instance: int, guard: z3.BoolRef | bool = True) -> Event:  # fmt: skip
        eid = len(self.events)
        locs: frozenset[str] = frozenset()
        full_guard = guard_and(path.guard, guard)
        if addr is not None:
            locs = self.memory.locations_of(addr.term)
            if not locs:
                raise self.error(f"'{text}' accesses an address that is no location of the test", span)
            if len(locs) > 1:  # a computed address must denote some location of the test
                valid = z3.Or([addr.term == bv(self.addresses[n]) for n in sorted(locs)])
                self.constraints.append(z3.Implies(as_bool(full_guard), valid))
        term = z3.BitVec(f"v{eid}", WORD) if kind == "R" else (value.term if value else None)
        writes = value is not None and kind == "W"
        event = Event(
            id=eid, thread=path.proc, kind=kind, tags=frozenset(tags), guard=full_guard,
            addr=addr.term if addr else None, value=term, locs=locs,
            addr_deps=addr.deps if addr else frozenset(),
            data_deps=value.deps if writes else frozenset(),  # type: ignore[union-attr]
            pick_addr_deps=addr.pick if addr else frozenset(),
            pick_data_deps=value.pick if writes else frozenset(),  # type: ignore[union-attr]
            ctrl_deps=path.ctrl, branch=path.branch, primitive=text, span=span, instance=instance,
        )  # fmt: skip
        self.events.append(event)
        path.events.append(eid)
        return event

    # -- running the threads
    def lower(self) -> Program:
        from litmus.arch.asm import Label

        self.events.extend(self.memory.initial_writes(len(self.events)))
        threads: list[list[int]] = []
        final_regs: dict[tuple[int, str], z3.BitVecRef] = {}
        wide: set[tuple[int, str]] = set()  # registers whose last write is 64 bits on every path
        for thread in self.test.threads:
            code = thread.code  # type: ignore[attr-defined]
            labels = {line.name: k for k, line in enumerate(code) if isinstance(line, Label)}
            order: list[int] = []
            leaves: list[Path] = []
            self._run(Path(thread.proc, 0, {}), code, labels, order, leaves)
            threads.append(order)
            names = sorted({n for leaf in leaves for n in leaf.regs})
            for name in names:
                term: z3.BitVecRef | None = None
                for leaf in reversed(leaves):
                    v = self.register_on(leaf, name)
                    term = v.term if term is None else z3.If(as_bool(leaf.guard), v.term, term)
                final_regs[(thread.proc, name)] = term  # type: ignore[assignment]
                if all(leaf.widths.get(name, 64) == 64 for leaf in leaves):
                    wide.add((thread.proc, name))
        for entry in self.test.init:  # registers set in the init block and never written
            if isinstance(entry.target, ast.RegLoc):
                key = (entry.target.proc, self.canonical(entry.target.reg))
                final_regs.setdefault(key, self.memory.value_of(entry.value))
        return Program(
            events=self.events, threads=threads, rmw=self.rmw, addresses=self.addresses,
            final_regs=final_regs, constraints=self.constraints,
            thread_names=[t.proc for t in self.test.threads], choices=self.choices, amo=self.amo,
            iico_data=self.iico_data, iico_ctrl=self.iico_ctrl, iico_order=self.iico_order,
            rf_reg=self.rf_reg, wide_registers=frozenset(wide),
            wide_locations=frozenset(self.addresses) - frozenset(self.narrow_stores),
        )  # fmt: skip

    def _run(self, path: Path, code: tuple, labels: dict[str, int], order: list[int], leaves: list[Path]) -> None:
        from litmus.arch.asm import Instruction

        while path.pc < len(code):
            line = code[path.pc]
            path.pc += 1
            if not isinstance(line, Instruction):
                continue
            self._instances += 1
            core = Core(self, path, line.text, line.span, self._instances)
            mark = len(self.events)
            try:
                self.execute(core, line)
            except _Split as split:
                del self.events[mark:]  # the instruction runs again on each alternative
                for name in ("rmw", "amo", "iico_data", "iico_ctrl", "iico_order", "rf_reg"):
                    pairs = getattr(self, name)
                    pairs[:] = [p for p in pairs if p[0] < mark and p[1] < mark]
                path.events = [e for e in path.events if e < mark]
                path.pc -= 1
                self._fork(path, split.alternatives, code, labels, order, leaves)
                return
            path.decisions = ()
            order.extend(path.events)
            path.events.clear()
            if core.jump is None:
                continue
            taken, deps, label = core.jump
            if label not in labels:
                raise self.error(f"no label '{label}' in this thread", line.span)
            target = labels[label]
            if target < path.pc:
                raise self.error(f"a backward branch to '{label}' (a loop): not supported", line.span)
            ctrl = path.ctrl | deps
            path.ctrl = ctrl
            if taken is True:  # unconditional
                path.pc = target
                continue
            self._splits += 1
            k = self._splits
            jumped = path.fork(pc=target, guard=guard_and(path.guard, taken), branch=path.branch + ((k, 1),))
            path.guard = guard_and(path.guard, z3.Not(as_bool(taken)))
            path.branch = path.branch + ((k, 0),)
            self._run(path, code, labels, order, leaves)
            self._run(jumped, code, labels, order, leaves)
            return
        leaves.append(path)

    def _fork(self, path: Path, alternatives: list[z3.BoolRef], code: tuple, labels: dict[str, int],
              order: list[int], leaves: list[Path]) -> None:  # fmt: skip
        """One path per alternative: the k-th holds when the k-th condition does and no earlier
        one (so exactly one runs), marked so that the alternatives exclude each other."""
        self._splits += 1
        k = self._splits
        before: z3.BoolRef | bool = True
        for index, condition in enumerate(alternatives):
            chosen = condition if index < len(alternatives) - 1 else True
            self._run(path.fork(
                guard=guard_and(path.guard, guard_and(before, chosen)),
                branch=path.branch + ((k, index),), decisions=path.decisions + (index,),
            ), code, labels, order, leaves)  # fmt: skip
            before = guard_and(before, z3.Not(condition))



"""Events of a lowered litmus program: guarded, with symbolic 64-bit values and syntactic dependencies.

Every event of every branch exists; `guard` says when it executes. Values and addresses are z3
bit-vector terms; a read's value is a fresh variable that rf later ties to a write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from litmus.errors import Span

WORD = 64
INIT_THREAD = -1
# LKMM's lock events (herd's names): lock read/write, unlock, failed trylock, spin_is_locked
KERNEL_LOCK_TAGS = frozenset({"LKR", "LKW", "UL", "LF", "RL", "RU"})


# tags every event of a kind carries, so labels leave them out
UNSHOWN_TAGS = frozenset({"Exp", "Rreg", "Wreg", "B"})


def bv(value: int) -> z3.BitVecRef:
    return z3.BitVecVal(value, WORD)


@dataclass(eq=False)
class Event:
    id: int
    thread: int  # INIT_THREAD for initial writes
    kind: str  # 'R' | 'W' | 'F'
    tags: frozenset[str]  # model-visible annotations: 'Once', 'Acquire', 'MFENCE', 'A', 'X' ...
    guard: z3.BoolRef | bool  # True when unconditional
    addr: z3.BitVecRef | None = None  # None for fences
    value: z3.BitVecRef | None = None
    locs: frozenset[str] = frozenset()  # locations the address may denote (one when static)
    addr_deps: frozenset[int] = frozenset()  # reads whose values reach the address
    data_deps: frozenset[int] = frozenset()  # reads whose values reach the written value
    ctrl_deps: frozenset[int] = frozenset()  # reads whose values decide a branch around this event
    # reads that reach the address / written value only through a selection's condition
    # (AArch64's CSEL; herd's pick dependencies)
    pick_addr_deps: frozenset[int] = frozenset()
    pick_data_deps: frozenset[int] = frozenset()
    branch: tuple[tuple[int, int], ...] = ()  # (if-id, side) path: different sides never co-execute
    # tags that hold only in some executions: a trylock's read is LKR when it takes the lock,
    # LF when it fails (LKMM); maps tag -> z3 condition
    cond_tags: dict[str, z3.BoolRef] = field(default_factory=dict)
    primitive: str = ""  # source primitive, for labels ('WRITE_ONCE', 'smp_mb', ...)
    span: Span | None = None
    batch: int | None = None  # id of the enclosing litmus_batch_begin/end (our extension), if any
    # the instruction instance an assembly event belongs to: events of one instance are not in
    # po with each other (herd relates them by iico_*); None for C events
    instance: int | None = None

    @property
    def static_loc(self) -> str | None:
        return next(iter(self.locs)) if len(self.locs) == 1 else None

    def annotation(self) -> str:
        """herd-like annotation shown in labels: `W[once]` (not Exp: every explicit access has it)."""
        return ",".join(sorted(t.lower() for t in self.tags if t not in UNSHOWN_TAGS))


def guard_and(a: z3.BoolRef | bool, b: z3.BoolRef | bool) -> z3.BoolRef | bool:
    """The conjunction of two guards, keeping `True` (unconditional) as the Python constant."""
    if a is True:
        return b
    if b is True:
        return a
    return z3.And(a, b)


def as_bool(guard: z3.BoolRef | bool) -> z3.BoolRef:
    """A guard as a z3 term."""
    return z3.BoolVal(True) if guard is True else guard  # type: ignore[return-value]


def exclusive(a: Event, b: Event) -> bool:
    """True when a and b lie on opposite sides of the same `if`, so never execute together."""
    if a.thread != b.thread:
        return False
    sides = dict(a.branch)
    return any(k in sides and sides[k] != side for k, side in b.branch)


@dataclass
class Program:
    """A lowered test: events (init writes first), per-thread program order, rmw pairs, locations."""

    events: list[Event]
    threads: list[list[int]]  # event ids in program order, one list per thread (index = proc)
    rmw: list[tuple[int, int]]  # (read id, write id)
    addresses: dict[str, int]  # location name -> address constant
    final_regs: dict[tuple[int, str], z3.BitVecRef]  # (proc, reg) -> value at thread end
    constraints: list[z3.BoolRef] = field(default_factory=list)  # lowering side conditions
    thread_names: list[int] = field(default_factory=list)
    # Free choices of the lowering that tell executions apart (a herd trylock succeeding or not)
    choices: list[z3.BoolRef] = field(default_factory=list)
    # Lock events are the model's to place in rf and co (herd's lock.cat), not the base's
    model_locks: bool = False
    # The rmw pairs of single atomic instructions (herd's amo; the rest of rmw is lxsx, the
    # load-/store-exclusive pairs), and the tags the architecture's events may carry
    amo: list[tuple[int, int]] = field(default_factory=list)
    known_tags: frozenset[str] | None = None
    # herd's relations inside and between assembly instructions (register events: catdep models)
    iico_data: list[tuple[int, int]] = field(default_factory=list)
    iico_ctrl: list[tuple[int, int]] = field(default_factory=list)
    iico_order: list[tuple[int, int]] = field(default_factory=list)
    rf_reg: list[tuple[int, int]] = field(default_factory=list)
    # (proc, register) whose final value a 64-bit write made: herd orders those values as signed
    # integers, the others (32-bit writes, AArch64's W and X86_64's l registers) as unsigned words
    wide_registers: frozenset[tuple[int, str]] = frozenset()
    wide_locations: frozenset[str] = frozenset()  # memory no store of under 64 bits writes (alike)

    def location_of_address(self, address: int) -> str | None:
        for name, a in self.addresses.items():
            if a == address:
                return name
        return None

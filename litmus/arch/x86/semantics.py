"""What each x86 instruction does on the symbolic machine (X86 and X86_64 alike, operands
destination first): MOV as a load, a store or a register move, the three fences, and the
locked read-modify-writes (XCHG with memory is always locked), whose read and write are tagged
X and paired in rmw as herd's x86 models expect. In X86 tests (not X86_64 ones) values are
herd's 32-bit signed integers (machine.int32): `DEC EAX` from 0 gives -1."""

from __future__ import annotations

import z3

from litmus.arch.asm import Imm, Instruction, Mem, Reg, Sym
from litmus.arch.machine import Core, Val, const, joined

FENCES = ("MFENCE", "LFENCE", "SFENCE")

_UPDATES = {
    "ADD": lambda old, v: old + v,
    "SUB": lambda old, v: old - v,
    "AND": lambda old, v: old & v,
    "OR": lambda old, v: old | v,
    "XOR": lambda old, v: old ^ v,
}


def execute(core: Core, ins: Instruction) -> None:
    m = ins.mnemonic
    ops = ins.operands
    try:
        if m in FENCES and not ops:
            core.fence((m,))
        elif m == "NOP":
            pass
        elif m == "MOV":
            _mov(core, ops)
        elif m == "XCHG":
            _xchg(core, ops)
        elif m in (*_UPDATES, "XADD", "CMPXCHG", "INC", "DEC") and any(isinstance(o, Mem) for o in ops):
            # the memory operand first (herd writes X86_64's cmpxchg `(x),%ebx`, memory first too)
            ops = tuple(sorted(ops, key=lambda o: not isinstance(o, Mem)))
            _update_memory(core, m, ops, locked=ins.prefix == "LOCK")
        elif m in _UPDATES and isinstance(ops[0], Reg):
            a, b = value(core, ops[0]), value(core, ops[1])
            set_register(core, ops[0], joined(_UPDATES[m](a.term, b.term), a, b))
        elif m in ("INC", "DEC") and isinstance(ops[0], Reg):
            a = value(core, ops[0])
            set_register(core, ops[0], a.with_term(a.term + (1 if m == "INC" else -1)))
        elif m == "CMP":
            core.path.flag_operands = (value(core, ops[0]), value(core, ops[1]))
        elif m in _JUMPS:
            _jump(core, m, ops)
        else:
            raise core.error(f"unsupported x86 instruction '{ins.text}'")
    except (IndexError, TypeError, AttributeError):
        raise core.error(f"unexpected operands for {m}: '{ins.text}'") from None


def value(core: Core, op: object) -> Val:
    if isinstance(op, Imm):
        return const(op.value)
    if isinstance(op, Sym):  # $x: the address of x
        return core.machine.address(op.name, core.span)
    if isinstance(op, Reg):
        v = core.get(op.name)
        if op.width >= 32:  # (herd's int32 values: EAX is all of RAX)
            return v
        return v.with_term(z3.LShR(v.term, _shift(op)) & ((1 << op.width) - 1))
    raise TypeError(op)


def _shift(op: Reg) -> int:
    """Where a byte or word register sits in its family: AH, BH, CH, DH are bits 8 to 15."""
    return 8 if op.width == 8 and op.written.lower().endswith("h") else 0


def set_register(core: Core, op: Reg, v: Val) -> None:
    """herd's X86 and X86_64 values are 32-bit signed integers (core.set makes them so): a
    32-bit write is the whole value, and a byte or word write replaces those bits alone
    (`movb $7,%al` on -1 gives -249, herd7 7.58)."""
    if op.width < 32:
        old = core.machine.register_on(core.path, op.name)
        mask = ((1 << op.width) - 1) << _shift(op)
        v = v.with_term((old.term & ~mask & ((1 << 64) - 1)) | ((v.term << _shift(op)) & mask))
    core.set(op.name, v, width=op.width)


def address(core: Core, mem: Mem) -> Val:
    base = core.machine.address(mem.base.name, core.span) if isinstance(mem.base, Sym) else value(core, mem.base)
    return joined(base.term + mem.offset, base) if mem.offset else base


def _mov(core: Core, ops: tuple) -> None:
    dst, src = ops
    if isinstance(dst, Mem):
        core.store(address(core, dst), value(core, src))
    elif isinstance(src, Mem):
        loaded, _ = core.load(address(core, src))
        set_register(core, dst, loaded)
    else:
        set_register(core, dst, value(core, src))


def _xchg(core: Core, ops: tuple) -> None:
    mem, reg = (ops[0], ops[1]) if isinstance(ops[0], Mem) else (ops[1], ops[0])
    if not isinstance(mem, Mem):  # register exchange
        a, b = value(core, ops[0]), value(core, ops[1])
        set_register(core, ops[0], b)
        set_register(core, ops[1], a)
        return
    addr = address(core, mem)
    new = value(core, reg)
    old, r = core.load(addr, ("X",))
    w = core.store(addr, new, ("X",))
    core.rmw(r, w)
    set_register(core, reg, old)


def _update_memory(core: Core, m: str, ops: tuple, locked: bool) -> None:
    """ADD, SUB, AND, OR, XOR, INC, DEC, XADD, CMPXCHG on memory: with LOCK one atomic
    read-modify-write (both events X, an rmw pair); without, a plain read then a plain write."""
    addr = address(core, ops[0])
    tags = ("X",) if locked else ()
    if m == "CMPXCHG":
        # compare EAX/RAX with memory: equal -> store the source; else load into EAX/RAX
        accumulator = Reg("rax" if ops[1].name.islower() else "EAX", ops[1].width, "")
        expected, new = value(core, accumulator), value(core, ops[1])
        old, r = core.load(addr, tags)
        w = core.store(addr, new, tags, guard=old.term == expected.term)
        if locked:
            core.rmw(r, w)
        set_register(core, accumulator, joined(z3.If(old.term == expected.term, expected.term, old.term), old, expected))
        return
    old, r = core.load(addr, tags)
    if m in ("INC", "DEC"):
        operand = const(1)
        update = _UPDATES["ADD" if m == "INC" else "SUB"]
    else:
        operand = value(core, ops[1])
        update = _UPDATES["ADD" if m == "XADD" else m]
    w = core.store(addr, joined(update(old.term, operand.term), old, operand), tags)
    if locked:
        core.rmw(r, w)
    if m == "XADD":
        set_register(core, ops[1], old)


# conditional jumps over the last CMP a,b (a - b): Intel and AT&T spell them alike
_JUMPS = {
    "JMP": None,
    "JE": lambda a, b: a == b, "JZ": lambda a, b: a == b,
    "JNE": lambda a, b: a != b, "JNZ": lambda a, b: a != b,
    "JL": lambda a, b: a < b, "JLT": lambda a, b: a < b, "JGE": lambda a, b: a >= b,
    "JG": lambda a, b: a > b, "JGT": lambda a, b: a > b, "JLE": lambda a, b: a <= b,
    "JS": lambda a, b: a - b < 0, "JNS": lambda a, b: a - b >= 0,
    "JB": z3.ULT, "JAE": z3.UGE, "JA": z3.UGT, "JBE": z3.ULE,
}  # fmt: skip


def _jump(core: Core, m: str, ops: tuple) -> None:
    test = _JUMPS[m]
    if test is None:
        core.branch(True, frozenset(), ops[0].name)
        return
    if core.path.flag_operands is None:
        raise core.error(f"{m} before any CMP set the flags")
    a, b = core.path.flag_operands
    core.branch(test(a.term, b.term), a.deps | b.deps, ops[0].name)

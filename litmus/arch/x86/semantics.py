"""What each x86 instruction does on the symbolic machine (X86 and X86_64 alike, operands
destination first): MOV as a load, a store or a register move, the three fences, and the
locked read-modify-writes (XCHG with memory is always locked), whose read and write are tagged
X and paired in rmw as herd's x86 models expect."""

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
        elif ins.prefix == "LOCK" and m in (*_UPDATES, "XADD", "CMPXCHG", "INC", "DEC"):
            _locked(core, m, ops)
        elif ins.prefix is None and m in _UPDATES and isinstance(ops[0], Reg):
            a, b = value(core, ops[0]), value(core, ops[1])
            set_register(core, ops[0], joined(_UPDATES[m](a.term, b.term), a, b))
        elif m in (*_UPDATES, "XADD", "CMPXCHG", "INC", "DEC") and isinstance(ops[0], Mem):
            raise core.error(f"{m} on memory without LOCK is not atomic and not supported; write 'LOCK {m}'")
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
        return v.with_term(v.term & ((1 << op.width) - 1)) if op.width < 64 else v
    raise TypeError(op)


def set_register(core: Core, op: Reg, v: Val) -> None:
    if op.width < 64:  # 32-bit writes zero the upper half; narrower ones are not modelled apart
        v = v.with_term(v.term & ((1 << op.width) - 1))
    core.set(op.name, v)


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
    _pair(core, r, w)
    set_register(core, reg, old)


def _locked(core: Core, m: str, ops: tuple) -> None:
    addr = address(core, ops[0])
    if m == "CMPXCHG":
        # compare EAX/RAX with memory: equal -> store the source; else load into EAX/RAX
        accumulator = Reg("rax" if ops[1].name.islower() else "EAX", ops[1].width, "")
        expected, new = value(core, accumulator), value(core, ops[1])
        old, r = core.load(addr, ("X",))
        w = core.store(addr, new, ("X",), guard=old.term == expected.term)
        _pair(core, r, w)
        set_register(core, accumulator, Val(z3.If(old.term == expected.term, expected.term, old.term), old.deps | expected.deps))
        return
    old, r = core.load(addr, ("X",))
    if m in ("INC", "DEC"):
        operand = const(1)
        update = _UPDATES["ADD" if m == "INC" else "SUB"]
    else:
        operand = value(core, ops[1])
        update = _UPDATES["ADD" if m == "XADD" else m]
    w = core.store(addr, joined(update(old.term, operand.term), old, operand), ("X",))
    _pair(core, r, w)
    if m == "XADD":
        set_register(core, ops[1], old)


def _pair(core: Core, r, w) -> None:  # type: ignore[no-untyped-def]
    core.rmw(r, w)
    core.machine.amo.append((r.id, w.id))

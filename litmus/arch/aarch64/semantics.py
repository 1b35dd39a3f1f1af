"""What each AArch64 instruction does on the symbolic machine: register dataflow (so addr, data
and ctrl come out as herd computes them, through constants and false dependencies alike),
memory events with herd's tags, fences, branches. Values are herd's: 32-bit signed integers in
W and X registers alike (machine.int32), so `SUB W0,W0,#1` from 0 gives -1, as herd prints it.

Tags (tags.py): every memory access is Exp (explicit); LDAR/LDAXR/acquire atomics are A, LDAPR
Q, STLR/STLXR/release atomics L, exclusives X, ST<op> atomics' reads NoRet; DMB/DSB give
`DMB.<opt>`/`DSB.<opt>` fences, ISB an `ISB` fence.
"""

from __future__ import annotations

from dataclasses import replace

import z3

from litmus.arch.asm import Imm, Instruction, Mem, Reg, Sym
from litmus.arch.machine import Core, Val, const, int32, joined
from litmus.lower.events import WORD
from litmus.lower.targets import ARM_BARRIER_OPTIONS

FENCE_OPTIONS = ARM_BARRIER_OPTIONS

# LD<op>/ST<op> atomics: the update of the old value by the register's
_ATOMIC_OPS = {
    "ADD": lambda old, v: old + v,
    "CLR": lambda old, v: old & ~v,
    "EOR": lambda old, v: old ^ v,
    "SET": lambda old, v: old | v,
    "SMAX": lambda old, v: z3.If(old > v, old, v),
    "SMIN": lambda old, v: z3.If(old < v, old, v),
    "UMAX": lambda old, v: z3.If(z3.UGT(old, v), old, v),
    "UMIN": lambda old, v: z3.If(z3.ULT(old, v), old, v),
}

_ARITH = {
    "ADD": lambda a, b: a + b,
    "SUB": lambda a, b: a - b,
    "EOR": lambda a, b: a ^ b,
    "AND": lambda a, b: a & b,
    "ORR": lambda a, b: a | b,
    "BIC": lambda a, b: a & ~b,
    "EON": lambda a, b: a ^ ~b,
    "ORN": lambda a, b: a | ~b,
}

# condition codes over the compared operands a, b (CMP a, b sets NZCV from a - b)
_CONDITIONS = {
    "EQ": lambda a, b: a == b,
    "NE": lambda a, b: a != b,
    "GE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b,
    "GT": lambda a, b: a > b,
    "LE": lambda a, b: a <= b,
    "HS": lambda a, b: z3.UGE(a, b),
    "CS": lambda a, b: z3.UGE(a, b),
    "LO": lambda a, b: z3.ULT(a, b),
    "CC": lambda a, b: z3.ULT(a, b),
    "HI": lambda a, b: z3.UGT(a, b),
    "LS": lambda a, b: z3.ULE(a, b),
    "MI": lambda a, b: a - b < 0,
    "PL": lambda a, b: a - b >= 0,
    "AL": lambda a, b: z3.BoolVal(True),
}


# accesses of another size than the register's, or of two registers at once: herd runs them
# only as mixed-size tests, which we do not model
_MIXED_SIZE = {
    f"{op}{size}" for op in ("LDR", "STR", "LDAR", "STLR", "LDXR", "STXR", "LDAXR", "STLXR", "LDAPR", "LDUR",
                             "STUR", "SWP", "SWPA", "SWPL", "SWPAL", "CAS", "CASA", "CASL", "CASAL")
    for size in ("B", "H", "SB", "SH", "SW")
} | {"LDP", "STP", "LDXP", "STXP", "LDAXP", "STLXP", "CASP", "CASPA", "CASPL", "CASPAL", "LDNP", "STNP"}


def execute(core: Core, ins: Instruction) -> None:
    """Run one instruction on `core`'s path."""
    m = ins.mnemonic
    ops = ins.operands
    handler = _HANDLERS.get(m)
    if handler is None:
        handler = _family(m)
    if handler is None:
        if m in _MIXED_SIZE:
            raise core.error(f"'{ins.text}': byte, halfword and pair accesses (mixed-size tests) are not supported")
        raise core.error(f"unsupported AArch64 instruction '{m}'")
    try:
        handler(core, m, ops)
    except (IndexError, TypeError, AttributeError, KeyError):
        raise core.error(f"unexpected operands for {m}: '{ins.text}'") from None


# ---------------------------------------------------------------- registers and operands


def read(core: Core, op: object, data: bool = False, ctrl: tuple[int, ...] = ()) -> Val:
    """An operand's value; `data`: it is the value of a write (herd's DATA register reads)."""
    if isinstance(op, Imm):
        return const(op.value)
    if isinstance(op, Reg):
        if op.name == "ZR":
            return const(0)
        v = core.get(op.name, data, ctrl)
        if op.width == 32:  # (a value is an int32 already: herd reads W and X registers alike)
            return v.with_term(int32(v.term))
        return v
    raise TypeError(op)


def write(core: Core, op: object, value: Val, ctrl: tuple[int, ...] = ()) -> None:
    if not isinstance(op, Reg):
        raise TypeError(op)
    if op.name == "ZR":
        return
    core.set(op.name, value, ctrl, op.width)  # W or X, the value becomes an int32 (machine.int32), as herd's


def address(core: Core, mem: object) -> tuple[Val, Val | None]:
    """The address an access uses, and the base's new value after a write-back (or None)."""
    if not isinstance(mem, Mem):
        raise TypeError(mem)
    base = read(core, mem.base)
    addr = base
    if mem.index is not None:
        index = read(core, mem.index)
        term = index.term
        if mem.extend == "SXTW":
            term = z3.SignExt(32, z3.Extract(31, 0, term))
        elif mem.extend == "UXTW":
            term = z3.ZeroExt(32, z3.Extract(31, 0, term))
        if mem.shift:
            term = term << mem.shift
        addr = joined(addr.term + term, addr, index)
    if mem.writeback == "post":
        return addr, joined(addr.term + mem.offset, addr)
    if mem.offset:
        addr = joined(addr.term + mem.offset, addr)
    return addr, (addr if mem.writeback == "pre" else None)


def _write_back(core: Core, mem: Mem, new_base: Val | None) -> None:
    if new_base is not None:
        write(core, mem.base, new_base)


def _width_mask(op: object, value: Val) -> Val:
    if isinstance(op, Reg) and op.width == 32:
        return value.with_term(int32(value.term))
    return value


def _is_zero_register(op: object) -> bool:
    return isinstance(op, Reg) and op.name == "ZR"


# ---------------------------------------------------------------- instructions


def _mov(core: Core, m: str, ops: tuple) -> None:
    write(core, ops[0], read(core, ops[1]))


def _modified(value: Val, modifier: object) -> Val:
    """A register operand's shift or extend: `LSL #3`, `SXTW`, `UXTW #2` ..."""
    if not isinstance(modifier, Sym):
        raise TypeError(modifier)
    word, _, amount = modifier.name.partition("#")
    term = value.term
    if word in ("SXTW", "UXTW"):
        low = z3.Extract(31, 0, term)
        term = z3.SignExt(32, low) if word == "SXTW" else z3.ZeroExt(32, low)
        word = "LSL"
    elif word in ("SXTX", "UXTX"):
        word = "LSL"
    n = int(amount or 0)
    term = {"LSL": lambda t: t << n, "LSR": lambda t: z3.LShR(t, n), "ASR": lambda t: t >> n}[word](term)
    return value.with_term(term)


def _arith(core: Core, m: str, ops: tuple) -> None:
    a, b = read(core, ops[1]), read(core, ops[2])
    if len(ops) > 3:  # ADD X1,X2,X3,LSL #3 / ADD X4,X3,W2,SXTW
        b = _modified(b, ops[3])
    write(core, ops[0], joined(_ARITH[m](a.term, b.term), a, b))


def _unary(core: Core, m: str, ops: tuple) -> None:
    """MVN (bitwise not), NEG, and MOVZ (a move, with an optional LSL #n)."""
    v = read(core, ops[1])
    if len(ops) > 2:
        v = _modified(v, ops[2])
    write(core, ops[0], v.with_term({"MVN": ~v.term, "NEG": -v.term, "MOVZ": v.term}[m]))


def _movk(core: Core, m: str, ops: tuple) -> None:
    """MOVK Wd,#imm{,LSL #n}: keep the other bits of Wd, put imm at bit n."""
    old, imm = read(core, ops[0]), read(core, ops[1])
    n = int(ops[2].name.partition("#")[2] or 0) if len(ops) > 2 else 0
    mask = z3.BitVecVal(~(0xFFFF << n) & ((1 << WORD) - 1), WORD)
    write(core, ops[0], joined((old.term & mask) | (imm.term << n), old))


def _cmp(core: Core, m: str, ops: tuple) -> None:
    """CMP a,b sets the flags from a - b; CMN a,b from a + b (as CMP a,-b); TST a,b from a & b
    (as CMP a&b,0: its Z flag, what EQ and NE test)."""
    a, b = read(core, ops[0]), read(core, ops[1])
    if len(ops) > 2:
        b = _modified(b, ops[2])
    if m == "CMN":
        b = b.with_term(-b.term)
    elif m == "TST":
        a, b = joined(a.term & b.term, a, b), const(0)
    core.path.flag_operands = (a, b)
    write(core, Reg("NZCV"), joined(a.term - b.term, a, b))


def _condition(core: Core, code: str) -> tuple[z3.BoolRef, Val]:
    """A condition code over the last CMP, and the flags as a value (every read behind them,
    pick ones included, become its dependencies)."""
    if core.path.flag_operands is None:
        raise core.error(f"condition {code} read before any CMP set the flags")
    a, b = core.path.flag_operands
    if code not in _CONDITIONS:
        raise core.error(f"unknown condition code '{code}'")
    flags = read(core, Reg("NZCV"))
    return _CONDITIONS[code](a.term, b.term), Val(flags.term, a.deps | b.deps | a.pick | b.pick, src=flags.src)


def _csel(core: Core, m: str, ops: tuple) -> None:
    """herd reads the flags, commits to one side, then reads only the selected register: the
    selected value is a dependency as any other; the flags give a pick dependency, which
    orders only later writes. What follows the commit waits on it (iico_ctrl): the selected
    register's read, or, when the zero register is selected (no read), the write itself."""
    cond, flags = _condition(core, ops[3].name)
    choose_first = core.decide(cond)
    pred = core.commit(flags, conditional_branch=False)
    selected = ops[1] if choose_first else ops[2]
    chosen = read(core, selected, data=True, ctrl=tuple(pred.src))
    if not choose_first:
        chosen = chosen.with_term({"CSEL": chosen.term, "CSINC": chosen.term + 1, "CSINV": ~chosen.term,
                                   "CSNEG": -chosen.term}[m])  # fmt: skip
    waits = tuple(pred.src) if _is_zero_register(selected) else ()
    write(core, ops[0], Val(chosen.term, chosen.deps, chosen.pick | flags.deps, chosen.src), ctrl=waits)


def _branch(core: Core, m: str, ops: tuple) -> None:
    if m == "B":
        core.branch(True, frozenset(), ops[0].name)
        return
    cond, flags = _condition(core, m.split(".", 1)[1])
    core.commit(flags, conditional_branch=True)
    core.branch(cond, flags.deps, ops[0].name)


def _cbz(core: Core, m: str, ops: tuple) -> None:
    """CBZ/CBNZ Rt,label and TBZ/TBNZ Rt,#bit,label."""
    v = read(core, ops[0])
    tested = v.term if m in ("CBZ", "CBNZ") else v.term & (1 << ops[1].value)
    taken = tested == 0 if m in ("CBZ", "TBZ") else tested != 0
    core.commit(v, conditional_branch=True)
    core.branch(taken, v.deps | v.pick, ops[-1].name)


def _load(core: Core, m: str, ops: tuple) -> None:
    tags = {"LDR": (), "LDUR": (), "LDAR": ("A",), "LDAPR": ("Q",), "LDAPUR": ("Q",), "LDXR": ("X",),
            "LDAXR": ("X", "A")}[m]  # fmt: skip
    addr, new_base = address(core, ops[1])
    value, event = core.load(addr, ("Exp",) + tags)
    write(core, ops[0], value)
    _write_back(core, ops[1], new_base)
    if "X" in tags:
        core.path.exclusive = event


def _store(core: Core, m: str, ops: tuple) -> None:
    tags = {"STR": (), "STUR": (), "STLR": ("L",), "STLUR": ("L",)}[m]
    value = read(core, ops[0], data=True)
    addr, new_base = address(core, ops[1])
    core.store(addr, value, ("Exp",) + tags, width=ops[0].width)
    _write_back(core, ops[1], new_base)


def _store_exclusive(core: Core, m: str, ops: tuple) -> None:
    """STXR Ws,Rt,[Xn]: the store happens only when it succeeds; Ws is 0 then, 1 when it fails
    (herd always offers the failure, spurious or not; the model's atomicity decides which
    successes are allowed). A successful store pairs with the thread's last load-exclusive in
    rmw; the status value carries no dependency."""
    tags = ("Exp", "X", "L") if m == "STLXR" else ("Exp", "X")
    value = read(core, ops[1], data=True)
    addr, _ = address(core, ops[2])
    load = core.path.exclusive
    succeeds = core.machine.choice(f"stxr_{core.instance}") if load is not None else z3.BoolVal(False)
    event = core.store(addr, value, tags, guard=succeeds, width=ops[1].width)
    write(core, ops[0], Val(z3.If(succeeds, z3.BitVecVal(0, WORD), z3.BitVecVal(1, WORD))))
    if load is not None:
        core.rmw(load, event, atomic=False)
        core.path.exclusive = None


def _suffix_tags(suffix: str, destination: object = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A/L/AL suffix of an atomic -> (read tags, write tags). An atomic whose result goes to
    the zero register returns nothing: its read is NoRet and has no acquire semantics."""
    write_tags = ("L",) if "L" in suffix else ()
    if _is_zero_register(destination):
        return ("NoRet",), write_tags
    return (("A",) if "A" in suffix else ()), write_tags


# herd builds CAS in five ways, each its own execution: it succeeds (the result register's value
# taken from memory, or from its own old value under the comparison), or it fails (the result
# from memory, with or without waiting on the comparison, or writing the old value back)
_CAS_SUCCEEDS_FROM_MEMORY, _CAS_SUCCEEDS_FROM_REGISTER, _CAS_FAILS, _CAS_FAILS_UNDER_COMPARISON, _CAS_WRITES_BACK = range(5)


def _cas(core: Core, m: str, ops: tuple) -> None:
    read_tags, write_tags = _suffix_tags(m[3:], ops[0])
    variant = core.variant(5)
    succeeds = variant in (_CAS_SUCCEEDS_FROM_MEMORY, _CAS_SUCCEEDS_FROM_REGISTER)
    expected = read(core, ops[0], data=True)
    new = read(core, ops[1], data=True) if succeeds else None
    addr, _ = address(core, ops[2])
    atomic = succeeds or variant == _CAS_WRITES_BACK
    noret = read_tags == ("NoRet",)
    tags = ("Exp",) + read_tags + (("X",) if atomic and not noret else ())
    old, r = core.load(addr, tags)
    old = _width_mask(ops[0], old)
    core.assume(old.term == expected.term if succeeds else old.term != expected.term)
    pred = core.commit(joined(old.term, old, expected), conditional_branch=False)
    if atomic:
        # the write waits on the comparison: a pick dependency on what the comparison read
        value = new if new is not None else old
        value = replace(value, pick=value.pick | expected.deps | expected.pick | old.deps)
        w = core.store(addr, value, ("Exp", "X") + write_tags, ctrl=tuple(pred.src), width=ops[0].width)
        core.rmw(r, w)
    if variant == _CAS_SUCCEEDS_FROM_REGISTER:
        result = Val(expected.term, expected.deps, expected.pick | old.deps, expected.src)
        write(core, ops[0], result, ctrl=tuple(pred.src))
    elif variant == _CAS_FAILS_UNDER_COMPARISON:
        result = Val(old.term, old.deps, old.pick | expected.deps | expected.pick, old.src)
        write(core, ops[0], result, ctrl=tuple(pred.src))
    else:
        write(core, ops[0], old)


def _swp(core: Core, m: str, ops: tuple) -> None:
    read_tags, write_tags = _suffix_tags(m[3:], ops[1])
    new = read(core, ops[0], data=True)
    addr, _ = address(core, ops[2])
    old, r = core.load(addr, ("Exp", "X") + read_tags if "NoRet" not in read_tags else ("Exp",) + read_tags)
    w = core.store(addr, new, ("Exp", "X") + write_tags, width=ops[0].width)
    core.rmw(r, w)
    core.order(r, w)
    write(core, ops[1], _width_mask(ops[1], old))


def _atomic_op(core: Core, m: str, ops: tuple) -> None:
    """LD<op>{A,L,AL} Rs,Rt,[Xn] (Rt := old) and ST<op>{L} Rs,[Xn] (no result: NoRet)."""
    returns = m.startswith("LD")
    name, suffix = _split_atomic(m[2:])
    read_tags, write_tags = _suffix_tags(suffix, ops[1] if returns else Reg("ZR"))
    operand = read(core, ops[0], data=True)
    addr, _ = address(core, ops[2] if returns else ops[1])
    old, r = core.load(addr, ("Exp", "X") + read_tags if "NoRet" not in read_tags else ("Exp",) + read_tags)
    old = _width_mask(ops[0], old)
    w = core.store(addr, joined(_ATOMIC_OPS[name](old.term, operand.term), old, operand), ("Exp", "X") + write_tags,
                   width=ops[0].width)
    core.rmw(r, w)
    if returns:
        write(core, ops[1], old)


def _split_atomic(rest: str) -> tuple[str, str]:
    for name in sorted(_ATOMIC_OPS, key=len, reverse=True):
        if rest.startswith(name) and rest[len(name):] in ("", "A", "L", "AL"):
            return name, rest[len(name):]
    raise KeyError(rest)


def _barrier(core: Core, m: str, ops: tuple) -> None:
    option = ops[0].name.upper() if ops else "SY"
    if option not in FENCE_OPTIONS:
        raise core.error(f"unknown {m} option '{option}'")
    core.fence((f"{m}.{option}",))


def _isb(core: Core, m: str, ops: tuple) -> None:
    core.fence(("ISB",))


def _nop(core: Core, m: str, ops: tuple) -> None:
    pass


_HANDLERS = {
    "MOV": _mov,
    **{name: _arith for name in _ARITH},
    "MVN": _unary, "NEG": _unary, "MOVZ": _unary, "MOVK": _movk,
    "CMP": _cmp, "CMN": _cmp, "TST": _cmp,
    "CSEL": _csel, "CSINC": _csel, "CSINV": _csel, "CSNEG": _csel,
    "B": _branch,
    "CBZ": _cbz, "CBNZ": _cbz, "TBZ": _cbz, "TBNZ": _cbz,
    "LDR": _load, "LDUR": _load, "LDAR": _load, "LDAPR": _load, "LDAPUR": _load, "LDXR": _load, "LDAXR": _load,
    "STR": _store, "STUR": _store, "STLR": _store, "STLUR": _store,
    "STXR": _store_exclusive, "STLXR": _store_exclusive,
    "DMB": _barrier, "DSB": _barrier,
    "ISB": _isb,
    "NOP": _nop,
}  # fmt: skip


def _family(m: str):  # type: ignore[no-untyped-def]
    if m.startswith("B.") and m[2:] in _CONDITIONS:
        return _branch
    if m in ("CAS", "CASA", "CASL", "CASAL"):
        return _cas
    if m in ("SWP", "SWPA", "SWPL", "SWPAL"):
        return _swp
    if m[:2] in ("LD", "ST"):
        try:
            _split_atomic(m[2:])
        except KeyError:
            return None
        if m.startswith("ST") and _split_atomic(m[2:])[1] in ("A", "AL"):
            return None  # ST<op> has no acquire forms
        return _atomic_op
    return None

"""X86 cells (Intel order: destination first) and X86_64 cells (AT&T order: source first, size
suffixes, `%` registers) -> the same instructions, destination first, mnemonics upper case."""

from __future__ import annotations

from importlib import resources

from lark import Transformer, v_args

from litmus.arch.asm import CellError, Imm, Instruction, Label, Line, Mem, Reg, Sym, cell_parser

# 64-bit register families: every name of a family is one register (herd prints the 64-bit
# name for X86_64 tests, as written for X86 ones)
_FAMILIES = {
    **{f"{p}{r}": r for r in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp") for p in ("", "e", "r")},
    **{f"{c}{h}": f"{c}x" for c in "abcd" for h in "lh"},
    **{f"r{n}{s}": f"r{n}" for n in range(8, 16) for s in ("", "d", "w", "b")},
}


def _width(name: str) -> int:
    n = name.lower()
    if n.startswith("r") and not n.endswith(("d", "w", "b")):
        return 64
    if n.startswith("e") or n.endswith("d"):
        return 32
    if n.endswith(("l", "h", "b")):
        return 8
    return 16


def intel_register(written: str) -> Reg:
    return Reg(written.upper(), _width(written), written)


def att_register(written: str) -> Reg:
    family = _FAMILIES.get(written.lower())
    if family is None:
        raise CellError(f"unknown register '%{written}'")
    return Reg(family if family.startswith("r") else "r" + family, _width(written), written)


def _int(token: str) -> int:
    return int(token, 0)


@v_args(inline=True)
class _Common(Transformer):
    def start(self, *lines: Line) -> list[Line]:
        return [x for x in lines if x is not None]

    def label(self, name):  # type: ignore[no-untyped-def]
        return Label(str(name))

    def imm(self, value):  # type: ignore[no-untyped-def]
        return Imm(value)

    def sym(self, token):  # type: ignore[no-untyped-def]
        return Sym(str(token))

    def int(self, token):  # type: ignore[no-untyped-def]
        return _int(str(token))

    def neg(self, token):  # type: ignore[no-untyped-def]
        return -_int(str(token))

    def mem_loc(self, name):  # type: ignore[no-untyped-def]
        return Mem(Sym(str(name)))


def _prefixed(parts: tuple) -> tuple[str | None, str, tuple]:  # type: ignore[type-arg]
    """(LOCK or None, mnemonic, operands) of an instruction's parse."""
    prefix = None
    if parts and getattr(parts[0], "type", None) == "LOCK":
        prefix, parts = "LOCK", parts[1:]
    name, *operands = parts
    return prefix, str(name).upper(), tuple(o for o in operands if o is not None)


class _Intel(_Common):
    @v_args(inline=True)
    def instruction(self, *parts):  # type: ignore[no-untyped-def]
        prefix, mnemonic, ops = _prefixed(parts)
        return Instruction(mnemonic, ops, "", prefix=prefix)

    @v_args(inline=True)
    def reg(self, token):  # type: ignore[no-untyped-def]
        return intel_register(str(token))

    @v_args(inline=True)
    def mem_reg(self, token):  # type: ignore[no-untyped-def]
        return Mem(intel_register(str(token)))


# AT&T mnemonics carry the operand size: movl, movq, xchgl, addq ...
_SIZED = ("MOV", "XCHG", "ADD", "SUB", "XADD", "CMPXCHG", "INC", "DEC", "AND", "OR", "XOR", "CMP")


class _Att(_Common):
    @v_args(inline=True)
    def instruction(self, *parts):  # type: ignore[no-untyped-def]
        prefix, mnemonic, ops = _prefixed(parts)
        if mnemonic not in _SIZED and mnemonic[:-1] in _SIZED and mnemonic[-1] in "BWLQ":
            mnemonic = mnemonic[:-1]
        return Instruction(mnemonic, tuple(reversed(ops)), "", prefix=prefix)  # destination first

    @v_args(inline=True)
    def reg(self, token):  # type: ignore[no-untyped-def]
        return att_register(str(token))

    @v_args(inline=True)
    def addr_imm(self, name):  # type: ignore[no-untyped-def]
        return Sym(str(name))

    @v_args(inline=True)
    def mem_reg(self, *parts):  # type: ignore[no-untyped-def]
        offset = parts[0] if len(parts) == 2 else 0
        return Mem(att_register(str(parts[-1])), offset=offset)


def _loader(grammar_file: str, transformer: Transformer):  # type: ignore[no-untyped-def]
    parse = None

    def parse_cell(text: str) -> list[Line]:
        nonlocal parse
        if parse is None:
            grammar = resources.files("litmus.arch.x86").joinpath(grammar_file).read_text(encoding="utf-8")
            parse = cell_parser(grammar, transformer)
        return [
            Instruction(x.mnemonic, x.operands, text, prefix=x.prefix) if isinstance(x, Instruction) else x
            for x in parse(text)
        ]

    return parse_cell


parse_intel_cell = _loader("intel.lark", _Intel())
parse_att_cell = _loader("att.lark", _Att())


def att_canonical(name: str) -> str:
    """A register named in an X86_64 test's init block or condition (`rax`, `eax`) -> `rax`."""
    try:
        return att_register(name.lstrip("%")).name
    except CellError:
        return name


def intel_canonical(name: str) -> str:
    return name.upper()

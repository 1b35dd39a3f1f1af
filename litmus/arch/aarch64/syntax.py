"""AArch64 cells -> instructions: registers canonical as herd prints them (`W0` is `X0`)."""

from __future__ import annotations

from importlib import resources

from lark import Transformer, v_args

from litmus.arch.asm import CellError, Imm, Instruction, Label, Line, Mem, Reg, Sym, cell_parser


def register(written: str) -> Reg:
    """`W3` -> X3 (32 bits), `XZR`/`WZR` -> ZR, `SP`/`WSP` -> SP."""
    text = written.upper()
    width = 32 if text.startswith("W") else 64
    body = text[1:] if text[0] in "WX" and text not in ("SP",) else text
    if body in ("ZR",):
        return Reg("ZR", width, written)
    if body == "SP" or text == "SP":
        return Reg("SP", width, written)
    return Reg(f"X{int(body)}", width, written)


def canonical(name: str) -> str:
    """A register named in the init block or the condition (`W0`, `X0`) as herd prints it: X0."""
    try:
        return register(name).name
    except (ValueError, IndexError):
        return name


def _int(token: str) -> int:
    return int(token, 0)


@v_args(inline=True)
class _ToInstructions(Transformer):
    def start(self, *lines: Line) -> list[Line]:
        return [x for x in lines if x is not None]

    def label(self, name):  # type: ignore[no-untyped-def]
        return Label(str(name))

    def instruction(self, name, *operands):  # type: ignore[no-untyped-def]
        ops = tuple(o for o in operands if o is not None)
        # `STR W2,[X3],#4`: post-index write-back
        if len(ops) >= 2 and isinstance(ops[-2], Mem) and isinstance(ops[-1], Imm) and str(name).upper() in _POST_INDEX:
            ops = ops[:-2] + (Mem(ops[-2].base, offset=ops[-1].value, writeback="post"),)
        return Instruction(str(name).upper(), ops, "")

    def reg(self, token):  # type: ignore[no-untyped-def]
        return register(str(token))

    def imm(self, value):  # type: ignore[no-untyped-def]
        return Imm(value)

    def sym(self, token):  # type: ignore[no-untyped-def]
        return Sym(str(token).upper() if str(token).upper() in _WORDS else str(token))

    def shift(self, token, amount):  # type: ignore[no-untyped-def]
        word = str(token).upper()
        if word not in _SHIFTS:
            raise CellError(f"unknown shift or extend '{token}' (expected one of {', '.join(sorted(_SHIFTS))})")
        return Sym(f"{word}#{amount}")

    def int(self, token):  # type: ignore[no-untyped-def]
        return _int(str(token))

    def neg(self, token):  # type: ignore[no-untyped-def]
        return -_int(str(token))

    def mem_base(self, base):  # type: ignore[no-untyped-def]
        return Mem(register(str(base)))

    def mem_offset(self, base, offset):  # type: ignore[no-untyped-def]
        return Mem(register(str(base)), offset=offset)

    def mem_index(self, base, index):  # type: ignore[no-untyped-def]
        return Mem(register(str(base)), index=register(str(index)))

    def mem_index_extend(self, base, index, extend, amount=None):  # type: ignore[no-untyped-def]
        word = str(extend).upper()
        if word not in ("SXTW", "UXTW", "LSL", "SXTX", "UXTX"):
            raise CellError(f"unknown extend '{extend}' (expected SXTW, UXTW or LSL)")
        return Mem(register(str(base)), index=register(str(index)), extend=word, shift=amount or 0)

    def pre_index(self, mem):  # type: ignore[no-untyped-def]
        return Mem(mem.base, mem.index, mem.extend, mem.shift, mem.offset, writeback="pre")


_SHIFTS = {"LSL", "LSR", "ASR", "SXTW", "UXTW", "SXTX", "UXTX"}
_POST_INDEX = {"LDR", "STR", "LDRB", "STRB", "LDRH", "STRH"}
_WORDS = {"EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "VS", "VC", "HI", "LS", "GE", "LT", "GT", "LE",
          "AL", "NV", "SY", "ISH", "ISHLD", "ISHST", "LD", "ST", "OSH", "OSHLD", "OSHST", "NSH", "NSHLD",
          "NSHST", *_SHIFTS}  # fmt: skip

_GRAMMAR = resources.files("litmus.arch.aarch64").joinpath("cell.lark").read_text(encoding="utf-8")
_parse = None


def parse_cell(text: str) -> list[Line]:
    global _parse
    if _parse is None:
        _parse = cell_parser(_GRAMMAR, _ToInstructions())
    lines = _parse(text)
    return [Instruction(x.mnemonic, x.operands, text) if isinstance(x, Instruction) else x for x in lines]

"""What every assembly dialect of herd's format shares: the code table (`P0 | P1 ;` then one row
of instructions per line, columns separated by `|`, rows ended by `;`), instructions as
mnemonic + operands, and the reading of a whole file (init block and final part as in C).

A dialect supplies a lark grammar for one table cell (labels, then one instruction) and a
transformer to the operand types below; its semantics (instructions -> events) lives beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Union

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from litmus.errors import NOSPAN, LitmusError, Span
from litmus.syntax.ast import LitmusTest
from litmus.syntax.c_parser import Header, parse_sections, strip_comments

# ---------------------------------------------------------------- operands and instructions


@dataclass(frozen=True)
class Reg:
    """A register as written (`W0`, `X1`, `EAX`, `%rax`): `name` is its canonical name (the one
    herd prints in states: `X0` for `W0`, `rax` for `%eax`), `width` its size in bits."""

    name: str
    width: int = 64
    written: str = ""


@dataclass(frozen=True)
class Imm:
    value: int


@dataclass(frozen=True)
class Sym:
    """A bare name: a shared location (`[x]`, `(x)`, `$x`), a label, a condition code (`EQ`),
    or a shift or extend word (`LSL`, `SXTW`)."""

    name: str


@dataclass(frozen=True)
class Mem:
    """A memory operand: base (a register or a location name), an optional index register with
    its extend/shift, an immediate offset, and AArch64's pre-/post-index write-back."""

    base: Reg | Sym
    index: Reg | None = None
    extend: str | None = None  # 'SXTW', 'UXTW', 'LSL', ...
    shift: int = 0
    offset: int = 0
    writeback: str | None = None  # 'pre' ([X1,#8]!) or 'post' ([X1],#8)


Operand = Union[Reg, Imm, Sym, Mem]


@dataclass(frozen=True)
class Instruction:
    mnemonic: str  # upper case for AArch64 and X86, as written for X86_64
    operands: tuple[Operand, ...]
    text: str  # the cell as written, for labels in graphs and messages
    span: Span = field(default=NOSPAN, compare=False)
    prefix: str | None = None  # X86's LOCK


@dataclass(frozen=True)
class Label:
    name: str
    span: Span = field(default=NOSPAN, compare=False)


Line = Union[Instruction, Label]


@dataclass(frozen=True)
class AsmThread:
    proc: int
    code: tuple[Line, ...]
    span: Span = field(default=NOSPAN, compare=False)


class CellError(Exception):
    """A dialect's complaint about one cell, at a column within it."""

    def __init__(self, message: str, start: int = 0, end: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


# ---------------------------------------------------------------- reading a file

_FINAL_START = re.compile(r"(exists|forall|final|locations|filter|~|\()(?![A-Za-z0-9_])|~")
_PROC = re.compile(r"P(\d+)$")


@dataclass(frozen=True)
class Cell:
    text: str
    line: int
    column: int  # 1-based column of text[0]


def parse_asm(text: str, path: str, header: Header, parse_cell: Callable[[str], list[Line]]) -> LitmusTest:
    """Read an assembly litmus test: its code table cell by cell with `parse_cell`, its init block
    and final part with the C front end's grammar (the table blanked out, positions kept)."""
    clean = strip_comments(text, header.init_at, path)
    close = clean.find("}", header.init_at)
    if close < 0:
        raise _error("expected '}' closing the init block", path, text, clean, len(clean.rstrip()))
    start = close + 1
    end = _table_end(clean, start)
    rows = _rows(clean, start, end)
    if not rows:
        raise _error("expected the thread table ('P0 | P1 ;' and one row per instruction)",
                     path, text, clean, start)  # fmt: skip
    procs = []
    for cell in rows[0]:
        m = _PROC.match(cell.text.strip())
        if not m:
            raise LitmusError(f"expected a thread name P<n>, found '{cell.text.strip()}'", path,
                              _cell_span(cell), source=text)  # fmt: skip
        procs.append(int(m.group(1)))
    code: list[list[Line]] = [[] for _ in procs]
    for row in rows[1:]:
        if len(row) > len(procs):
            raise LitmusError(f"this row has {len(row)} columns, the table {len(procs)} threads", path,
                              _cell_span(row[len(procs)]), source=text)  # fmt: skip
        for k, cell in enumerate(row):
            if cell.text.strip():
                code[k].extend(_parse_cell(cell, parse_cell, path, text))
    blanked = clean[:start] + re.sub(r"[^\n]", " ", clean[start:end]) + clean[end:]
    init, _, (locations, filt, cond) = parse_sections(blanked, text, path)
    first = rows[0][0]
    threads = tuple(
        AsmThread(proc, tuple(lines), Span(first.line, first.column)) for proc, lines in zip(procs, code)
    )
    return LitmusTest(
        arch=header.arch, name=header.name, doc=header.doc, info=header.info, init=init,
        threads=threads, locations=locations, filter=filt, condition=cond, path=path, source=text,
    )  # fmt: skip


def _table_end(clean: str, start: int) -> int:
    """Where the code table ends: the first row that starts like the final part."""
    i = start
    n = len(clean)
    while i < n:
        while i < n and clean[i].isspace():
            i += 1
        if i >= n or _FINAL_START.match(clean, i):
            return i
        semi = clean.find(";", i)
        if semi < 0:
            return i
        i = semi + 1
    return n


def _rows(clean: str, start: int, end: int) -> list[list[Cell]]:
    rows = []
    i = start
    while i < end:
        semi = clean.find(";", i, end)
        if semi < 0:
            break
        row_text = clean[i:semi]
        if row_text.strip():
            cells = []
            offset = i
            for part in row_text.split("|"):
                line = clean.count("\n", 0, offset) + 1
                column = offset - (clean.rfind("\n", 0, offset) + 1) + 1
                lead = len(part) - len(part.lstrip())
                # a cell's text starts after its leading blanks (and newlines)
                skipped = part[:lead]
                line += skipped.count("\n")
                column = (lead - skipped.rfind("\n")) if "\n" in skipped else column + lead
                cells.append(Cell(part.strip(), line, column))
                offset += len(part) + 1
            rows.append(cells)
        i = semi + 1
    return rows


def _parse_cell(cell: Cell, parse_cell: Callable[[str], list[Line]], path: str, text: str) -> list[Line]:
    try:
        lines = parse_cell(cell.text)
    except CellError as e:
        end = e.end if e.end is not None else len(cell.text)
        span = Span(cell.line, cell.column + e.start, cell.line, cell.column + max(end, e.start + 1))
        raise LitmusError(e.message, path, span, source=text) from None
    span = _cell_span(cell)
    return [
        Instruction(x.mnemonic, x.operands, x.text, span, x.prefix) if isinstance(x, Instruction) else Label(x.name, span)
        for x in lines
    ]


def _cell_span(cell: Cell) -> Span:
    return Span(cell.line, cell.column, cell.line, cell.column + max(1, len(cell.text)))


def _error(message: str, path: str, text: str, clean: str, offset: int) -> LitmusError:
    line = clean.count("\n", 0, offset) + 1
    column = offset - (clean.rfind("\n", 0, offset) + 1) + 1
    return LitmusError(message, path, Span(line, column), source=text)


# ---------------------------------------------------------------- one cell, with a dialect's grammar


def cell_parser(grammar: str, transformer: object) -> Callable[[str], list[Line]]:
    """A parser of one table cell from a dialect's lark grammar (start: labels, then at most one
    instruction) and its transformer; errors become CellError at the offending column."""
    parser = Lark(grammar, parser="lalr", lexer="contextual", transformer=transformer, cache=True)

    def parse(cell: str) -> list[Line]:
        try:
            return parser.parse(cell)  # type: ignore[return-value]
        except VisitError as e:
            if isinstance(e.orig_exc, CellError):
                raise e.orig_exc from None
            raise
        except UnexpectedCharacters as e:
            raise CellError(f"unexpected character '{cell[e.pos_in_stream]}' in '{cell}'", e.column - 1) from None
        except UnexpectedToken as e:
            if e.token.type == "$END":
                raise CellError(f"'{cell}' ends too early", len(cell)) from None
            raise CellError(f"unexpected '{e.token}' in '{cell}'", e.column - 1, e.column - 1 + len(str(e.token))) from None
        except UnexpectedInput as e:
            raise CellError(f"cannot read '{cell}'", getattr(e, "column", 1) - 1) from None

    return parse


__all__ = [
    "AsmThread", "CellError", "Imm", "Instruction", "Label", "Line", "Mem", "Operand", "Reg", "Sym",
    "cell_parser", "parse_asm",
]  # fmt: skip

"""herd's macro files (`.def`, e.g. the kernel's linux-kernel.def): primitive -> herd instructions.

Each line is `NAME(PARAMS) BODY`; BODY is a block `{ i1; i2; }` or an expression, built from
herd's instructions (`__load{ONCE}(X)`, `__fence{MB}`, `__xchg{MB}(X,V)` ...), other macros of the
file, parameters, `*e`, integers, operator symbols (`+`, `&~` ...) and one comparison. Lowering
(`litmus.lower.macros.MacroLowerer`) gives them meaning; here they are only read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from litmus.errors import NOSPAN, LitmusError, Span

# ---------------------------------------------------------------- the body's syntax tree


@dataclass(frozen=True)
class MName:
    name: str


@dataclass(frozen=True)
class MInt:
    value: int


@dataclass(frozen=True)
class MOp:
    """An operator passed as an argument: `__atomic_op{NORETURN}(X,+,V)`."""

    symbol: str


@dataclass(frozen=True)
class MDeref:
    expr: "MExpr"


@dataclass(frozen=True)
class MCall:
    """`__load{ONCE}(X)` (tag 'ONCE'), `__fence{MB}` (no arguments) or a macro `READ_ONCE(*X)`."""

    name: str
    tag: str | None
    args: tuple["MExpr", ...]


@dataclass(frozen=True)
class MCompare:
    op: str
    left: "MExpr"
    right: "MExpr"


MExpr = MName | MInt | MOp | MDeref | MCall | MCompare


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: tuple[MExpr, ...]  # instructions of a block, in order
    is_expr: bool  # an expression macro has a value; a block's value is 0
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class MacroFile:
    path: str
    macros: dict[str, Macro]


# ---------------------------------------------------------------- parsing


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("litmus.syntax").joinpath("macros.lark").read_text()
    return Lark(grammar, parser="lalr", start="start")


class _ToAst(Transformer):
    def name(self, items):  # type: ignore[no-untyped-def]
        return MName(str(items[0]))

    def int(self, items):  # type: ignore[no-untyped-def]
        return MInt(int(items[0]))

    def op(self, items):  # type: ignore[no-untyped-def]
        return MOp(str(items[0]))

    def deref(self, items):  # type: ignore[no-untyped-def]
        return MDeref(items[0])

    def args(self, items):  # type: ignore[no-untyped-def]
        return tuple(i for i in items if i is not None)

    def call(self, items):  # type: ignore[no-untyped-def]
        name = str(items[0])
        tag = None
        args: tuple = ()
        for item in items[1:]:
            if isinstance(item, Token):
                tag = str(item)
            elif isinstance(item, tuple):
                args = item
        return MCall(name, tag, args)

    def compare(self, items):  # type: ignore[no-untyped-def]
        return MCompare(str(items[1]), items[0], items[2])

    def block(self, items):  # type: ignore[no-untyped-def]
        return tuple(items)


def _head(line: str) -> tuple[str, tuple[str, ...], int] | None:
    """`NAME(P1,P2)` at the start of a line: name, parameters, index where the body starts."""
    i = 0
    while i < len(line) and (line[i].isalnum() or line[i] == "_"):
        i += 1
    if i == 0 or i >= len(line) or line[i] != "(":
        return None
    close = line.find(")", i)
    if close < 0:
        return None
    params = tuple(p.strip() for p in line[i + 1 : close].split(",") if p.strip())
    return line[:i], params, close + 1


def parse_macros(text: str, path: str) -> MacroFile:
    macros: dict[str, Macro] = {}
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.split("//", 1)[0].rstrip()
        if not line.strip():
            continue
        head = _head(line)
        if head is None:
            raise LitmusError(
                "expected a macro definition NAME(PARAMS) BODY", path, Span(number, 1), text
            )
        name, params, start = head
        body_text = line[start:]
        try:
            tree = _parser().parse(body_text)
        except UnexpectedInput as err:
            column = start + getattr(err, "column", 1)
            raise LitmusError(
                f"cannot read the body of macro {name}", path, Span(number, column), text
            ) from None
        body = _ToAst().transform(tree)
        is_expr = not isinstance(body, tuple)
        macros[name] = Macro(name, params, (body,) if is_expr else body, is_expr, Span(number, 1))
    return MacroFile(path, macros)


@functools.lru_cache(maxsize=None)
def parse_macro_file(path: str) -> MacroFile:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")  # a bad byte is a located error later
    except OSError as err:
        raise LitmusError(f"cannot read macro file {path}: {err.strerror}") from None
    return parse_macros(text, path)

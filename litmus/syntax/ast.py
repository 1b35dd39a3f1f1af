"""AST of a C-dialect litmus test (herd7's format). Frozen dataclasses; every node keeps its Span."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from litmus.errors import NOSPAN, Span

# ---------------------------------------------------------------- expressions (thread code)


@dataclass(frozen=True)
class Const:
    value: int
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Name:
    """A bare identifier: a register, or a parameter naming a shared location (its address)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Deref:
    """`*e`: the location whose address `e` evaluates to."""

    expr: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class AddrOf:
    """`&x` (x a shared location)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Cast:
    """`(intptr_t *)e`: kept for fidelity; values are untyped 64-bit words."""

    type: str
    expr: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # '-', '!', '~'
    expr: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / % & | ^ << >> == != < <= > >= && ||
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Call:
    """A primitive such as `READ_ONCE(*x)` or `smp_mb()`; meaning comes from lower/targets.py's tables."""

    name: str
    args: tuple["Expr", ...]
    span: Span = field(default=NOSPAN, compare=False)


Expr = Union[Const, Name, Deref, AddrOf, Cast, Unary, Binary, Call]

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Decl:
    """`int r0;`, `int *r1 = x;`, `intptr_t r2;` — type text without the name."""

    type: str
    name: str
    init: Expr | None
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Assign:
    """`r0 = e;` (target Name) or `*x = e;` (target Deref: a plain store)."""

    target: Expr
    value: Expr
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class ExprStmt:
    expr: Expr
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span = field(default=NOSPAN, compare=False)


Stmt = Union[Decl, Assign, ExprStmt, If]


@dataclass(frozen=True)
class Param:
    type: str  # e.g. "int *", "spinlock_t *", "int **"
    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Thread:
    proc: int  # N of PN
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span = field(default=NOSPAN, compare=False)


# ---------------------------------------------------------------- locations and values (init, condition)


@dataclass(frozen=True)
class MemLoc:
    """A shared location `x` (written `x` or `[x]` in conditions)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class RegLoc:
    """A thread register `P:reg`."""

    proc: int
    reg: str
    span: Span = field(default=NOSPAN, compare=False)


Location = Union[MemLoc, RegLoc]


@dataclass(frozen=True)
class IntValue:
    value: int
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class AddrValue:
    """The address of shared location `name` (`p=x`, `int *p=&x`, `1:r0=x`)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False)


Value = Union[IntValue, AddrValue]


@dataclass(frozen=True)
class InitEntry:
    """One item of the init block. `value` None means a declaration only (`int x;`), i.e. 0."""

    target: Location
    value: Value | None
    type: str | None
    span: Span = field(default=NOSPAN, compare=False)


# ---------------------------------------------------------------- propositions (filter, condition)


@dataclass(frozen=True)
class PTrue:
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class PFalse:
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class PAtom:
    """`loc=value`; `value` is a Value, or a Location for `x=y` / `0:r1=1:r2` (equality of contents)."""

    loc: Location
    value: Union[IntValue, AddrValue, MemLoc, RegLoc]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class PNot:
    prop: "Prop"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class PAnd:
    left: "Prop"
    right: "Prop"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class POr:
    left: "Prop"
    right: "Prop"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class PImplies:
    left: "Prop"
    right: "Prop"
    span: Span = field(default=NOSPAN, compare=False)


Prop = Union[PTrue, PFalse, PAtom, PNot, PAnd, POr, PImplies]


@dataclass(frozen=True)
class Condition:
    quantifier: str  # "exists" | "~exists" | "forall"
    prop: Prop
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class LitmusTest:
    arch: str  # "C"
    name: str
    doc: str | None
    info: tuple[tuple[str, str], ...]  # Key=Value lines in order
    init: tuple[InitEntry, ...]
    threads: tuple[Thread, ...]
    locations: tuple[Location, ...]
    filter: Prop | None
    condition: Condition
    path: str
    source: str = field(repr=False, compare=False)


def atoms(prop: Prop | None) -> list[PAtom]:
    """The atoms of a proposition, left to right."""
    if prop is None:
        return []
    if isinstance(prop, PAtom):
        return [prop]
    if isinstance(prop, PNot):
        return atoms(prop.prop)
    if isinstance(prop, (PAnd, POr, PImplies)):
        return atoms(prop.left) + atoms(prop.right)
    return []

"""AST of herd's cat/bell language. Frozen dataclasses; every node keeps its Span for errors.

Expressions evaluate to event sets, relations, tags, functions, tuples or sets of those;
statements bind names, run checks, or declare things (bell files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from litmus.errors import Span

NOSPAN = Span(0, 0)

# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Var:
    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Tag:
    """`'name` — a tag constant (bell files)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Empty:
    """`0` — the empty set/relation (its kind is decided by use)."""

    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Universe:
    """`_` — all events (as a set) / all pairs (as a relation, in `_ * _` style uses)."""

    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class StringLit:
    value: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Unop:
    """op: '~' (complement), '^-1' (inverse), '+', '*', '?' (closures), '[]' (identity on a set)."""

    op: str
    expr: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Binop:
    """op: '|' union, '&' intersection, '\\' difference, ';' sequence, '*' cartesian product,
    '++' (add an element to a set)."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class App:
    """Function application `f(e)` or `f(e1, e2)` (args become a Tuple)."""

    fn: "Expr"
    arg: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Tuple:
    items: tuple["Expr", ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class SetLit:
    """`{e1, e2}`; `{}` is the empty set of values."""

    items: tuple["Expr", ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Fun:
    """`fun x -> e`, `fun (x, y) -> e`; params is the tuple of names."""

    params: tuple[str, ...]
    body: "Expr"
    tupled: bool = False  # True for `fun (x, y) -> e` (takes one tuple argument)
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Binding:
    """`name = e`, or `name(p1, p2) = e` (a function: params not None)."""

    name: str
    params: tuple[str, ...] | None
    body: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class LetIn:
    bindings: tuple[Binding, ...]
    rec: bool
    body: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class VariantCond:
    """The condition of `if "variant" then ... else ...`: op 'var' (name), 'not', 'and', 'or'."""

    op: str
    name: str | None = None
    args: tuple["VariantCond", ...] = ()
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class IfExpr:
    cond: VariantCond
    then: "Expr"
    orelse: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class MatchCase:
    """One arm: pattern kind 'tag' (value = tag name), 'empty' (`{}`), 'cons' (`x ++ rest`: names)."""

    kind: str
    names: tuple[str, ...]
    body: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Match:
    expr: "Expr"
    cases: tuple[MatchCase, ...]
    default: "Expr | None"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Try:
    """`try e with d`: d when evaluating e fails (an unbound name, typically)."""

    expr: "Expr"
    default: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


Expr = Union[
    Var, Tag, Empty, Universe, StringLit, Unop, Binop, App, Tuple, SetLit, Fun, LetIn, IfExpr,
    Match, Try,
]

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Let:
    bindings: tuple[Binding, ...]
    rec: bool
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Check:
    """`[flag] [~]acyclic|irreflexive|empty e [as name]`."""

    test: str  # 'acyclic' | 'irreflexive' | 'empty'
    expr: Expr
    negated: bool
    name: str | None
    flag: bool
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Show:
    """`show e as name` / `show a, b` / `unshow a, b` — display only."""

    exprs: tuple[Expr, ...]
    names: tuple[str | None, ...]
    unshow: bool = False
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Include:
    filename: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Enum:
    """bell: `enum Name = 'a || 'b`."""

    name: str
    tags: tuple[str, ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Instructions:
    """bell: `instructions R[Accesses]`."""

    kind: str
    tagset: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Procedure:
    name: str
    params: tuple[str, ...]
    body: tuple["Stmt", ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class CallProc:
    name: str
    arg: Expr
    as_name: str | None
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class With:
    """`with x from e`: choose x among the elements of e (e.g. coherence orders)."""

    name: str
    source: Expr
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class IfStmt:
    cond: VariantCond
    then: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span = field(default=NOSPAN, compare=False)


Stmt = Union[Let, Check, Show, Include, Enum, Instructions, Procedure, CallProc, With, IfStmt]


@dataclass(frozen=True)
class Model:
    """A parsed .cat/.bell file; `title` is the opening name or string, if any."""

    title: str | None
    stmts: tuple[Stmt, ...]
    path: str
    source: str = field(repr=False, compare=False)

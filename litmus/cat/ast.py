"""AST of herd's cat/bell language. Frozen dataclasses; every node keeps its Span for errors.

Expressions evaluate to event sets, relations, tags, functions, tuples or sets of those;
statements bind names, run checks, or declare things (bell files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from litmus.errors import NOSPAN, Span

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
    """`if cond then e1 else e2`; cond is a VariantCond or a CompareCond."""

    cond: VariantCond
    then: "Expr"
    orelse: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class MatchCase:
    """One arm: pattern kind 'tag' (`'t -> e`: names = (t,)), 'empty' (`{}`: names = ()),
    'cons' (`x ++ rest`: names = (x, rest)), 'split' (`a | x ++ b`: names = (a, x, b), herd's
    PreEltPost). A wildcard pattern name is '_'."""

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


@dataclass(frozen=True)
class CompareCond:
    """The condition of `if e1 = e2 then ...` (op '='), `if e1 subset e2` ('subset'),
    `if e1 in e2` ('in'): herd's non-variant conditions, used where IfExpr.cond is not a
    VariantCond."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class TupleBinding:
    """`let (a, b) = e` / `let a, b = e`: destructure a tuple; `_` in names ignores a component.
    Appears in Let.bindings / LetIn.bindings next to Binding."""

    names: tuple[str, ...]
    body: "Expr"
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
    # 'check' (plain), 'flag', 'undefined_unless' (herd's REQUIRES) or 'assert'; flag == (mode == 'flag')
    mode: str = "check"


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
    tagset: str  # the name between brackets; "" when args is not a single name
    span: Span = field(default=NOSPAN, compare=False)
    args: tuple[Expr, ...] = ()  # everything between the brackets (herd allows a list)
    default: bool = False  # True for `default R[...]` (same shape, herd's "define default")


@dataclass(frozen=True)
class Procedure:
    name: str
    params: tuple[str, ...]
    body: tuple["Stmt", ...]
    span: Span = field(default=NOSPAN, compare=False)
    rec: bool = False  # `procedure rec name(...) = ... end`


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


@dataclass(frozen=True)
class Forall:
    """`forall x in e do stmts end`: run the statements once per element of e."""

    name: str
    source: Expr
    body: tuple["Stmt", ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Debug:
    """`debug e`: print a value (no effect on the verdict)."""

    expr: Expr
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class MatchStmtCase:
    """One arm `'tag -> stmts` of a statement-level match."""

    tag: str
    body: tuple["Stmt", ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class MatchStmt:
    """Statement-level `match e with 'a -> stmts || _ -> stmts end` (e evaluates to a tag)."""

    expr: Expr
    cases: tuple[MatchStmtCase, ...]
    default: tuple["Stmt", ...] | None
    span: Span = field(default=NOSPAN, compare=False)


Stmt = Union[
    Let, Check, Show, Include, Enum, Instructions, Procedure, CallProc, With, IfStmt, Forall,
    Debug, MatchStmt,
]


@dataclass(frozen=True)
class Model:
    """A parsed .cat/.bell file; `title` is the opening name or string, if any."""

    title: str | None
    stmts: tuple[Stmt, ...]
    path: str
    source: str = field(repr=False, compare=False)
    # herd reads `X86 TSO` as architecture `X86`, name `TSO` (title); a lone word or string is
    # the title with arch None
    arch: str | None = None
    # old herd model options after the title: withco, withoutco, withinit, withoutinit, withsc,
    # withoutsc
    options: tuple[str, ...] = ()

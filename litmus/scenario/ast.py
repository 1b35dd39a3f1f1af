"""AST of a pageblock scenario (.pb): frozen dataclasses, each node with its Span."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from litmus.errors import NOSPAN, Span

# ---------------------------------------------------------------- expressions over parameters


@dataclass(frozen=True)
class Int:
    value: int
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Name:
    """A parameter (N, overlap ...) or, compared with one, a symbolic value (locked, plain ...)."""

    name: str
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * / %
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NOSPAN, compare=False)


Expr = Union[Int, Name, BinOp]


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >=
    left: Expr
    right: Expr
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class In:
    value: Expr
    choices: tuple[Expr, ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or | not
    args: tuple["Cond", ...]
    span: Span = field(default=NOSPAN, compare=False)


Cond = Union[Compare, In, BoolOp]

# ---------------------------------------------------------------- pageblock selections


@dataclass(frozen=True)
class PbRange:
    """`lo..hi`: pageblocks lo, lo+1, ..., hi in pfn order (empty when hi < lo)."""

    lo: Expr
    hi: Expr
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class PbList:
    """`[a, b, ...]` (or a single pageblock): exactly these, in this order."""

    items: tuple[Expr, ...]
    span: Span = field(default=NOSPAN, compare=False)


Pbs = Union[PbRange, PbList]

# ---------------------------------------------------------------- what a CPU does


@dataclass(frozen=True)
class Modifier:
    """`reverse`, `once`, `release`, `acquire`, `fence smp_wmb`, `locked each|group`,
    optionally `(... when COND)`."""

    kind: str  # reverse | once | release | acquire | fence | locked
    arg: str | None = None  # fence name, lock mode
    when: Cond | None = None
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Action:
    """`set|read|isolate|restore PAGEBLOCKS MODIFIER* [if COND]`."""

    verb: str
    pbs: Pbs
    modifiers: tuple[Modifier, ...] = ()
    guard: Cond | None = None
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Fence:
    name: str  # smp_mb | smp_rmb | smp_wmb
    guard: Cond | None = None
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Block:
    """`batch { ... }` (one batched flush), `locked { ... }` (one zone-lock critical section) or
    `unlocked { ... }` (just a group)."""

    kind: str  # batch | locked | unlocked
    body: tuple["Stmt", ...]
    guard: Cond | None = None
    span: Span = field(default=NOSPAN, compare=False)


Stmt = Union[Action, Fence, Block]

# ---------------------------------------------------------------- the scenario


@dataclass(frozen=True)
class Param:
    """`param NAME = lo..hi` or `param NAME = v1, v2, ...` (values may use earlier parameters)."""

    name: str
    lo: Expr | None = None
    hi: Expr | None = None
    values: tuple[Expr, ...] = ()
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Cpu:
    name: str
    body: tuple[Stmt, ...]
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Question:
    """reordered CPU | torn CPU | saw PBS missed PBS CPU | both_succeeded | leaked | lost."""

    kind: str
    cpu: str | None = None
    saw: Pbs | None = None
    missed: Pbs | None = None
    label: str | None = None
    guard: Cond | None = None
    span: Span = field(default=NOSPAN, compare=False)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    params: tuple[Param, ...]
    requires: tuple[Cond, ...]
    pageblocks: Expr
    cpus: tuple[Cpu, ...]
    questions: tuple[Question, ...]
    name_template: str | None = None
    path: str = "<input>"
    source: str = field(default="", compare=False, repr=False)
    span: Span = field(default=NOSPAN, compare=False)

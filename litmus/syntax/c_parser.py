"""Parser for herd7's C litmus dialect: text -> `litmus.syntax.ast.LitmusTest`.

The header (first line `C name`, optional doc string, `Key=Value` lines and comments before the
init block) is read by hand, as herd's splitter does; the rest goes through an LALR grammar
(`c.lark`). Before parsing, the header and every comment are replaced by spaces (newlines kept), so
lark's line and column numbers are positions in the original file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from litmus.errors import MAX_NESTING, NOSPAN, LitmusError, Span, too_deep
from litmus.syntax.ast import (
    AddrOf,
    AddrValue,
    Assign,
    Binary,
    Call,
    Cast,
    Condition,
    Const,
    Decl,
    Deref,
    ExprStmt,
    If,
    InitEntry,
    IntValue,
    LitmusTest,
    MemLoc,
    Name,
    Param,
    PAnd,
    PAtom,
    PFalse,
    PImplies,
    PNot,
    POr,
    PTrue,
    RegLoc,
    Thread,
    Unary,
)

__all__ = ["Header", "parse_file", "parse_litmus", "parse_sections", "read_file", "read_header", "strip_comments"]



@dataclass(frozen=True)
class Header:
    """A litmus file's header: `ARCH name`, doc string, Key=Value lines; where the init block starts."""

    arch: str
    name: str
    doc: str | None
    info: tuple[tuple[str, str], ...]
    init_at: int  # offset of the init block's '{'
    arch_span: Span  # the architecture word on line 1

# ---------------------------------------------------------------- small helpers


def _span_of(tok: Token) -> Span:
    return Span(tok.line, tok.column, tok.end_line, tok.end_column)


class _Fail(Exception):
    """Raised inside the transformer; turned into a LitmusError by parse_litmus."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def _int(text: str) -> int:
    t = text.rstrip("uUlL")
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    v = int(t, 16) if t[:2] in ("0x", "0X") else int(t, 10)
    return -v if neg else v


def _type_text(words: list[str], stars: int) -> str:
    base = " ".join(words)
    return f"{base} {'*' * stars}" if stars else base


def _proc_of(tok: Token) -> int:
    if tok.type == "NUM":
        value = _int(tok)
        if value < 0 or tok.startswith("-"):
            raise _Fail(f"bad thread number '{tok}'", _span_of(tok))
        return value
    m = re.fullmatch(r"P([0-9]+)", str(tok))
    if not m:
        raise _Fail(f"expected a thread number such as 0 or P0 before ':', found '{tok}'", _span_of(tok))
    return int(m.group(1))


# ---------------------------------------------------------------- tree -> AST (run inside the LALR parser)


class _Typ(str):
    """Type text (`int`, `struct srcu_struct`) that remembers where it was written."""

    span: Span


def _start_end(x):
    """(line, col, end_line, end_col) of a child, or None when it carries no position."""
    if isinstance(x, Token):
        return (x.line, x.column, x.end_line, x.end_column)
    sp = x if isinstance(x, Span) else getattr(x, "span", None)
    if isinstance(sp, Span):
        if sp.line == 0:
            return None
        return (sp.line, sp.column, sp.end_line or sp.line, sp.end_column or sp.column)
    if isinstance(x, (list, tuple)):
        first = last = None
        for y in x:
            p = _start_end(y)
            if p is not None:
                if first is None:
                    first = p
                last = p
        if first is not None:
            return (first[0], first[1], last[2], last[3])
    return None


def _sp(children) -> Span:
    p = _start_end(children)
    if p is None:
        return Span(0, 0)
    return Span(p[0], p[1], p[2], p[3])


# C operator precedence (higher binds tighter); all left-associative.
_PREC = {
    "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6,
    "<": 7, ">": 7, "<=": 7, ">=": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}


def _plain(e):
    """An expression where an assignment is not allowed."""
    if isinstance(e, tuple):
        raise _Fail("an assignment is only allowed as a statement of its own", e[3])
    return e


class _ToAst(Transformer):
    # ---- locations and values
    def loc_mem(self, c):
        return MemLoc(str(c[0]), _sp(c))

    def reg_num(self, c):
        return RegLoc(_proc_of(c[0]), str(c[1]), _sp(c))

    reg_named = reg_num

    def left_loc(self, c):
        return c[0]

    cond_loc = cond_value = reg = init_value = init_type = left_loc

    def value_num(self, c):
        return IntValue(_int(c[0]), _sp(c))

    def value_addr(self, c):
        return AddrValue(str(c[0]), _sp(c))

    # ---- init block
    def star_list(self, c):
        return len(c)

    def init_type_name(self, c):
        t = _Typ(str(c[0]))
        t.span = _sp(c)
        return t

    def init_plain(self, c):
        return InitEntry(c[0], c[1] if len(c) > 1 else None, None, _sp(c))

    def init_typed(self, c):
        return InitEntry(c[1], c[2] if len(c) > 2 else None, str(c[0]), _sp(c))

    def init_pointer(self, c):
        typ = f"{c[0]} {'*' * c[1]}"
        return InitEntry(c[2], c[3] if len(c) > 3 else None, typ, _sp(c))

    def init_pointer_untyped(self, c):
        return InitEntry(c[1], c[2] if len(c) > 2 else None, "*" * c[0], _sp(c))

    def init(self, c):
        return tuple(c)

    # ---- types
    def base_type(self, c):
        return list(c)

    def struct_type(self, c):
        return [Token("NAME", "struct", line=c[0].line, column=max(1, c[0].column - 7),
                      end_line=c[0].line, end_column=c[0].column), c[0]]

    def type_words(self, c):
        toks: list[Token] = []
        for x in c:
            if isinstance(x, list):
                toks.extend(x)
            else:
                toks.append(x)
        t = _Typ(" ".join(str(x) for x in toks))
        t.span = _sp(toks)
        return t

    # ---- threads
    def param(self, c):
        stars = sum(1 for x in c[1:-1] if isinstance(x, Token) and x.type == "STAR")
        return Param(_type_text([str(c[0])], stars), str(c[-1]), _sp(c))

    param_named_type = param

    def thread(self, c):
        proc_tok = c[0]
        params = tuple(p for p in c[1:] if isinstance(p, Param))
        body: list = []
        for x in c[1:]:
            if isinstance(x, list):
                body.extend(x)
        return Thread(int(str(proc_tok)[1:]), params, tuple(body), _sp(c))

    def block(self, c):
        out: list = []
        for stmts in c:
            out.extend(stmts)
        return out

    # ---- statements (each returns a list, so blocks and `int a, b;` flatten)
    def stmt_block(self, c):
        return c[0]

    def stmt_empty(self, c):
        return []

    def declarator(self, c):
        stars = sum(1 for x in c if isinstance(x, Token) and x.type == "STAR")
        rest = [x for x in c if not (isinstance(x, Token) and x.type == "STAR")]
        name = str(rest[0])
        init = _plain(rest[1]) if len(rest) > 1 and rest[1] is not None else None
        return stars, name, init, _sp(c)

    def stmt_decl(self, c):
        typ = str(c[0])
        out = []
        several = len(c) > 2
        for stars, name, init, span in c[1:]:
            t = f"{typ} {'*' * stars}" if stars else typ
            out.append(Decl(t, name, init, span if several else _sp([c[0], span])))
        return out

    def stmt_expr(self, c):
        e = c[0]
        if isinstance(e, tuple):
            _, target, value, span = e
            return [Assign(target, value, span)]
        return [ExprStmt(e, e.span)]

    def stmt_if(self, c):
        cond = _plain(c[1])
        then = tuple(c[2])
        orelse = tuple(c[3]) if len(c) > 3 else ()
        return [If(cond, then, orelse, _sp([c[0], then, orelse]))]

    def stmt_while(self, c):
        raise _Fail("'while' loops are not supported", _sp(c[0]))

    # ---- expressions
    def assign(self, c):
        target, op, value = _plain(c[0]), str(c[1]), _plain(c[2])
        span = _sp(c)
        if not isinstance(target, (Name, Deref)):
            raise _Fail("cannot assign to this expression (expected a register or '*location')", span)
        if op != "=":
            value = Binary(op[:-1], target, value, span)
        return ("assign", target, value, span)

    def binop(self, c):
        return c[0]

    def binexpr(self, c):
        operands = [_plain(x) for x in c[0::2]]
        ops = [str(x) for x in c[1::2]]
        # precedence climbing over the flat operand/operator list
        pos = 0

        def climb(min_prec: int):
            nonlocal pos
            left = operands[pos]
            while pos < len(ops) and _PREC[ops[pos]] >= min_prec:
                op = ops[pos]
                pos += 1
                right = climb(_PREC[op] + 1)
                left = Binary(op, left, right, _sp([left, right]))
            return left

        return climb(0)

    def neg(self, c):
        e = _plain(c[0])
        if isinstance(e, Const):
            return Const(-e.value, e.span)
        return Unary("-", e, e.span)

    def lnot(self, c):
        e = _plain(c[0])
        return Unary("!", e, e.span)

    def bnot(self, c):
        e = _plain(c[0])
        return Unary("~", e, e.span)

    def deref(self, c):
        return Deref(_plain(c[1]), _sp(c))

    def addr_of(self, c):
        e = _plain(c[0])
        if isinstance(e, Name):
            return AddrOf(e.name, e.span)
        if isinstance(e, Deref):  # &*p is p
            return e.expr
        raise _Fail("'&' applies only to a name", e.span)

    def cast(self, c):
        stars = sum(1 for x in c[1:-1] if isinstance(x, Token) and x.type == "STAR")
        return Cast(_type_text([str(c[0])], stars), _plain(c[-1]), _sp(c))

    def call(self, c):
        args = tuple(_plain(a) for a in c[1:-1] if a is not None)  # c[-1]: the ')' token
        return Call(str(c[0]), args, _sp(c))

    def name(self, c):
        return Name(str(c[0]), _sp(c))

    def const(self, c):
        return Const(_int(c[0]), _sp(c))

    # ---- final part
    def locations(self, c):
        return ("locations", tuple(c))

    def filter(self, c):
        return ("filter", c[0])

    def condition(self, c):
        q = str(c[0])
        if q == "final":
            q = "exists"
        return Condition(q, c[1], _sp(c))

    def condition_not_exists(self, c):
        q = c[-2]
        if str(q) != "exists":
            raise _Fail(f"expected 'exists' after '~', found '{q}'", _sp(q))
        return Condition("~exists", c[-1], _sp(c))

    def condition_bare(self, c):
        return Condition("exists", c[0], _sp(c))

    def final(self, c):
        locs: tuple = ()
        filt = None
        cond = None
        for x in c:
            if x is None:
                continue
            if isinstance(x, Condition):
                cond = x
            elif x[0] == "locations":
                locs = x[1]
            else:
                filt = x[1]
        if cond is None:  # herd runs a test without a final condition as `forall (true)`
            cond = Condition("forall", PTrue())
        return locs, filt, cond

    def p_or(self, c):
        return POr(c[0], c[2], _sp(c))

    def p_and(self, c):
        return PAnd(c[0], c[2], _sp(c))

    def p_implies(self, c):
        return PImplies(c[0], c[2], _sp(c))

    def p_not(self, c):
        return PNot(c[-1], _sp(c))

    def p_true(self, c):
        return PTrue(_sp(c))

    def p_false(self, c):
        return PFalse(_sp(c))

    def p_eq(self, c):
        return PAtom(c[0], c[-1], _sp(c))

    def p_ne(self, c):
        span = _sp(c)
        return PNot(PAtom(c[0], c[-1], span), span)

    def start(self, c):
        init = c[0]
        threads = tuple(c[1:-1])
        return init, threads, c[-1]


# ---------------------------------------------------------------- the parser (built once)


_PARSER: Lark | None = None


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        grammar = resources.files("litmus.syntax").joinpath("c.lark").read_text(encoding="utf-8")
        _PARSER = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            maybe_placeholders=True,
            transformer=_ToAst(),
            cache=True,  # parse tables kept in the temp dir: start-up in ms, not a second
        )
    return _PARSER


# Human names for the grammar's terminals in error messages.
_TERMINAL_NAMES = {
    "NAME": "a name",
    "NUM": "a number",
    "CINT": "a number",
    "PROC": "a thread (P0, P1, ...)",
    "TYPENAME": "a type",
    "QUALIFIER": "a type qualifier",
    "QUANT": "'exists' or 'forall'",
    "NOTKW": "'not'",
    "OR": "'\\/'",
    "AND": "'/\\'",
    "IMPLIES": "'=>'",
    "NE_COND": "'!='",
    "ASSIGN": "'='",
    "COMPOUND_ASSIGN": "'+='",
    "STAR": "'*'",
    "WHILE": "'while'",
    "$END": "end of file",
}

# Tokens that may start a C expression: collapsed into "an expression" in messages.
_EXPR_START = {"NAME", "CINT", "LPAR", "STAR", "MINUS", "BANG", "TILDE", "AMPERSAND", "PLUS"}
# Tokens that may start a statement: collapsed into "a statement".
_STMT_START = _EXPR_START | {
    "IF", "WHILE", "TYPENAME", "QUALIFIER", "STRUCT", "LBRACE", "SEMICOLON", "ELSE",
}
# Binary operators of C expressions: collapsed into "an operator".
_BINOP_TEXTS = {
    "||", "&&", "|", "^", "&", "==", "!=", "<", ">", "<=", ">=", "<<", ">>", "+", "-", "*", "/", "%", "=",
}
# Tokens that may start a proposition.
_PROP_START = {"NAME", "NUM", "LPAR", "TILDE", "NOTKW", "TRUE", "FALSE", "LSQB", "STAR", "AMPERSAND"}


def _describe_expected(expected: set[str]) -> str:
    parser = _parser()
    names: list[str] = []
    exp = set(expected)
    if {"IF", "TYPENAME", "NAME"} <= exp:
        exp -= _STMT_START
        names.append("a statement")
    elif "NAME" in exp and "CINT" in exp:
        exp -= _EXPR_START
        names.append("an expression")
    elif {"NUM", "NOTKW", "TRUE"} <= exp:
        exp -= _PROP_START
        names.append("a proposition")
    if "QUANT" in exp and len(exp) > 1:
        exp -= {"QUANT", "TILDE", "NOTKW", "LPAR"}
        names.append("a condition ('exists', '~exists' or 'forall')")
    elif "QUANT" in exp:
        exp.discard("QUANT")
        names.append("'exists'")
    terminals = {t.name: t for t in parser.terminals}
    binops = {n for n in exp if n == "COMPOUND_ASSIGN" or (
        n in terminals and terminals[n].pattern.type == "str" and terminals[n].pattern.value in _BINOP_TEXTS)}
    if len(binops) >= 3:
        exp -= binops
        names.append("an operator")
    for t in sorted(exp):
        if t in _TERMINAL_NAMES:
            n = _TERMINAL_NAMES[t]
        elif t in terminals and terminals[t].pattern.type == "str":
            n = f"'{terminals[t].pattern.value}'"
        else:
            n = t.lower()
        if n not in names:
            names.append(n)
    # Keep messages short and stable: quoted tokens first, then words.
    names.sort(key=lambda s: (not s.startswith("'"), s))
    if len(names) > 8:
        names = names[:8] + ["..."]
    if not names:
        return "something else"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    return f"'{tok}'"


# ---------------------------------------------------------------- header and comments


_FIRST_LINE = re.compile(r"[ \t]*([A-Za-z0-9_]+)[ \t]+([^ \t\r\n(\"]+)")
_INFO_LINE = re.compile(r"[ \t]*([A-Za-z][A-Za-z0-9_/.\-]*)[ \t]*=[ \t]*([^\n]*)")


def _pos(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in "\n":
            chars[i] = " "


def _skip_ocaml_comment(text: str, i: int, path: str) -> int:
    """`i` at `(*`; return the offset just after the matching `*)` (these comments nest)."""
    depth = 0
    n = len(text)
    j = i
    while j < n:
        if text.startswith("(*", j):
            depth += 1
            j += 2
        elif text.startswith("*)", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j
        else:
            j += 1
    line, col = _pos(text, i)
    raise LitmusError("unterminated comment '(*' (missing '*)')", path, Span(line, col, line, col + 2),
                      source=text)


def read_header(text: str, path: str) -> Header:
    """Read the header of a litmus test of any dialect (first line, doc string, Key=Value
    lines) up to the init block's '{'."""
    first_end = text.find("\n")
    if first_end < 0:
        first_end = len(text)
    first = text[:first_end]
    m = _FIRST_LINE.match(first)
    if not m:
        stripped = first.strip()
        if not stripped:
            msg = "expected 'C <test name>' on the first line, found an empty line"
        else:
            msg = f"expected 'C <test name>' on the first line, found '{stripped.split()[0]}'"
        col = len(first) - len(first.lstrip()) + 1
        raise LitmusError(msg, path, Span(1, col), source=text)
    arch, name = m.group(1), m.group(2)
    if name == "--":  # herd names such a test after its file
        name = Path(path).name.rsplit(".", 1)[0]
    i = m.end()
    doc = None
    # optional `(texname)`, then an optional doc string on this line or the next, then optional ';'
    rest = re.compile(r"[ \t]*(\([A-Za-z][A-Za-z0-9_/.\-]*\)[ \t]*)?(\n?[ \t]*\"([^\"]*)\"[ \t]*)?;?")
    r = rest.match(text, i)
    if r:
        if r.group(3) is not None:
            doc = r.group(3)
        i = r.end()
    info: list[tuple[str, str]] = []
    n = len(text)
    at_line_start = False
    while i < n:
        ch = text[i]
        if ch == "\n":
            i += 1
            at_line_start = True
            continue
        if text.startswith("(*", i):
            i = _skip_ocaml_comment(text, i, path)
            at_line_start = False
            continue
        if ch == "{":
            return Header(arch, name, doc, tuple(info), i, Span(1, m.start(1) + 1, 1, m.end(1) + 1))
        if at_line_start:
            km = _INFO_LINE.match(text, i)
            if km:
                info.append((km.group(1), km.group(2).rstrip()))
                i = km.end()
                continue
        # anything else up to '{', '(*' or the end of the line is ignored, as herd does
        j = i
        while j < n and text[j] not in "\n{" and not text.startswith("(*", j):
            j += 1
        i = max(j, i + 1)
        at_line_start = False
    line, col = _pos(text, len(text.rstrip()))
    raise LitmusError("unexpected end of file, expected the init block '{ ... }'", path,
                      Span(line, col), source=text)


def strip_comments(text: str, init_at: int, path: str) -> str:
    """Blank the header and every comment: `(* *)` outside thread bodies, `//` and `/* */` anywhere."""
    chars = list(text)
    _blank(chars, 0, init_at)
    n = len(text)
    i = init_at
    depth = 0
    blocks_seen = 0  # top-level brace groups opened so far: the first one is the init block
    while i < n:
        ch = text[i]
        if ch == "/" and i + 1 < n and text[i + 1] in "/*" and (i == 0 or text[i - 1] != "\\"):
            if text[i + 1] == "/":
                j = text.find("\n", i)
                j = n if j < 0 else j
            else:
                j = text.find("*/", i + 2)
                if j < 0:
                    line, col = _pos(text, i)
                    raise LitmusError("unterminated comment '/*' (missing '*/')", path,
                                      Span(line, col, line, col + 2), source=text)
                j += 2
            _blank(chars, i, j)
            i = j
            continue
        if ch == "(" and i + 1 < n and text[i + 1] == "*" and (depth == 0 or blocks_seen == 1):
            j = _skip_ocaml_comment(text, i, path)
            _blank(chars, i, j)
            i = j
            continue
        if ch == "{":
            if depth == 0:
                blocks_seen += 1
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        i += 1
    return "".join(chars)


# ---------------------------------------------------------------- entry points


def _end_span(clean: str) -> Span:
    end = len(clean.rstrip())
    line, col = _pos(clean, end)
    return Span(line, col)


def parse_litmus(text: str, path: str = "<input>") -> LitmusTest:
    """Parse the text of a C litmus test; every problem raises LitmusError with a position."""
    text = text.replace("\r\n", "\n")
    header = read_header(text, path)
    if header.arch != "C":
        raise LitmusError(f"a {header.arch} test, not C", path, header.arch_span, source=text)
    clean = strip_comments(text, header.init_at, path)
    init, threads, (locations, filt, cond) = parse_sections(clean, text, path)
    seen: set[int] = set()
    for th in threads:
        if th.proc in seen:
            raise LitmusError(f"thread P{th.proc} is defined twice", path,
                              Span(th.span.line, th.span.column, th.span.line,
                                   th.span.column + len(f"P{th.proc}")), source=text)
        seen.add(th.proc)
    return LitmusTest(
        arch=header.arch,
        name=header.name,
        doc=header.doc,
        info=header.info,
        init=init,
        threads=threads,
        locations=locations,
        filter=filt,
        condition=cond,
        path=path,
        source=text,
    )


def parse_sections(clean: str, text: str, path: str) -> tuple:
    """The init block, C threads and final part of `clean` (the text with its header and comments
    blanked, positions kept): (init, threads, (locations, filter, condition)). The assembly
    dialects blank their code table too and read their init block and final part here."""
    try:
        sections = _parser().parse(clean)
    except _Fail as e:
        raise LitmusError(e.message, path, e.span, source=text) from None
    except VisitError as e:
        inner = e.orig_exc
        if isinstance(inner, _Fail):
            raise LitmusError(inner.message, path, inner.span, source=text) from None
        raise
    except UnexpectedInput as e:
        raise _syntax_error(e, clean, text, path) from None
    chain = too_deep(sections, _ast_children)
    if chain:
        span = next((n.span for n in reversed(chain) if getattr(n, "span", NOSPAN).line > 0), Span(1, 1))
        raise LitmusError(f"nested more than {MAX_NESTING} levels deep", path, span, source=text)
    return sections


def _ast_children(node: object) -> list[object]:
    """The AST nodes directly inside `node` (a section tuple, a dataclass of the AST)."""
    if isinstance(node, (tuple, list)):
        values: Iterable[object] = node
    elif dataclasses.is_dataclass(node) and not isinstance(node, (type, Span)):
        values = (getattr(node, f.name) for f in dataclasses.fields(node))
    else:
        return []
    return [v for v in values if isinstance(v, (tuple, list)) or (dataclasses.is_dataclass(v) and not isinstance(v, Span))]


def _syntax_error(e: UnexpectedInput, clean: str, text: str, path: str) -> LitmusError:
    if isinstance(e, UnexpectedToken) and e.token.type == "$END" or isinstance(e, UnexpectedEOF):
        expected = _describe_expected(set(getattr(e, "accepts", None) or e.expected))
        return LitmusError(f"unexpected end of file, expected {expected}", path, _end_span(clean), source=text)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        expected = _describe_expected(set(e.accepts or e.expected))
        span = Span(tok.line, tok.column, tok.end_line, tok.end_column)
        return LitmusError(f"expected {expected}, found {_describe_token(tok)}", path, span, source=text)
    if isinstance(e, UnexpectedCharacters):
        m = re.compile(r"[A-Za-z0-9_]+|\S").match(clean, e.pos_in_stream)
        found = m.group(0) if m else clean[e.pos_in_stream : e.pos_in_stream + 1]
        allowed = set(e.allowed or ())
        if allowed:
            msg = f"expected {_describe_expected(allowed)}, found '{found}'"
        else:
            msg = f"unexpected character '{found}'"
        span = Span(e.line, e.column, e.line, e.column + max(1, len(found)))
        return LitmusError(msg, path, span, source=text)
    return LitmusError(str(e), path, Span(getattr(e, "line", 1), getattr(e, "column", 1)), source=text)


def read_file(path: str) -> str:
    """A litmus file's text; a missing or unreadable file raises LitmusError naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise LitmusError(f"cannot read {path}: no such file", path) from None
    except IsADirectoryError:
        raise LitmusError(f"cannot read {path}: is a directory", path) from None
    except OSError as e:
        raise LitmusError(f"cannot read {path}: {e.strerror or e}", path) from None
    return text.replace("\r\n", "\n")


def parse_file(path: str) -> LitmusTest:
    """Read and parse a C litmus file."""
    return parse_litmus(read_file(path), path)

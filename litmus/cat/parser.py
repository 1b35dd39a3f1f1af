"""Parser for herd's cat/bell model language: text -> litmus.cat.ast.Model.

The grammar is in cat.lark (LALR(1), built once per process and cached). Comments are blanked
out here first, keeping every line and column in place, because `(* *)` comments nest.
Syntax errors become LitmusError with the file, line, column and a message in plain words.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from litmus.cat import ast as A
from litmus.errors import MAX_NESTING, LitmusError, Span, too_deep

__all__ = ["parse_cat", "parse_cat_file"]

_GRAMMAR = Path(__file__).with_name("cat.lark")

# Model options: words old herd versions accept after the model title, and `catdep` (the model
# computes addr, data and ctrl itself, from herd's register events), which may stand alone.
_TITLE_OPTIONS = frozenset(
    {"withco", "withoutco", "withinit", "withoutinit", "withsc", "withoutsc", "catdep"}
)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=True,  # parse tables kept in the temp dir, keyed by grammar text and lark version
    )


# ---------------------------------------------------------------- comments

_COMMENT_SCAN = re.compile(r'\(\*|\*\)|"|//|#')


def _blank_comments(text: str, path: str) -> str:
    """Replace comments by spaces (newlines kept): `(* *)` nested, `//` and `#` to end of line.

    Strings are skipped so that `"a#b"` stays intact; an unterminated string is left for the
    lexer to report.
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while True:
        m = _COMMENT_SCAN.search(text, i)
        if m is None:
            break
        tok = m.group()
        if depth == 0:
            if tok == '"':
                j = text.find('"', m.end())
                if j < 0:
                    break
                i = j + 1
            elif tok == "(*":
                depth = 1
                start = m.start()
                i = m.end()
            elif tok == "*)":
                i = m.end()  # e.g. `(r*)`: not a comment
            else:  # // or #
                j = text.find("\n", m.end())
                j = n if j < 0 else j
                spans.append((m.start(), j))
                i = j
        else:
            if tok == "(*":
                depth += 1
            elif tok == "*)":
                depth -= 1
                if depth == 0:
                    spans.append((start, m.end()))
            i = m.end()
    if depth:
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        raise LitmusError(
            "unterminated comment: '(*' is never closed by '*)'",
            path,
            Span(line, col, line, col + 2),
            source=text,
        )
    if not spans:
        return text
    out: list[str] = []
    prev = 0
    for a, b in spans:
        out.append(text[prev:a])
        chunk = text[a:b]
        out.append(re.sub(r"[^\n]", " ", chunk))
        prev = b
    out.append(text[prev:])
    return "".join(out)


# ---------------------------------------------------------------- tree -> AST


def _mspan(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return A.NOSPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _tspan(tok: Token) -> Span:
    return Span(tok.line, tok.column, tok.end_line, tok.end_column)


def _toks(children: list[Any], *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]


def _has(children: list[Any], typ: str) -> bool:
    return any(isinstance(c, Token) and c.type == typ for c in children)


def _nodes(children: list[Any]) -> list[Any]:
    return [c for c in children if not isinstance(c, Token)]


def _pname(tok: Token) -> str:
    """A pattern name: NAME or `_`."""
    return str(tok)


class _Default:
    """The `_ -> ...` arm of a match (an expression or a statement list)."""

    __slots__ = ("body",)

    def __init__(self, body: Any) -> None:
        self.body = body


class _Else:
    __slots__ = ("body",)

    def __init__(self, body: tuple) -> None:
        self.body = body


class _Params(tuple):
    """Formal parameters `(a, b)`, as a tuple of names."""


class _Bindings(tuple):
    pass


def _stmts(children: list[Any]) -> tuple:
    return tuple(
        c for c in children
        if not isinstance(c, (Token, _Params, _Else, _Default, _Bindings, tuple))
        and not isinstance(c, (A.VariantCond,))
    )


_BINOPS = {"BAR": "|", "PLUSPLUS": "++", "SEMI": ";", "BSLASH": "\\", "AMP": "&", "STAR": "*"}
_CLOSURES = {"STAR": "*", "PLUS": "+", "QMARK": "?"}
_MODES = {"FLAG": "flag", "UNDEFINED_UNLESS": "undefined_unless", "ASSERT": "assert"}


@v_args(meta=True)
class _ToAst(Transformer):
    # ------------------------------------------------------------ model and statements

    def start(self, meta, ch):
        return ch[0], tuple(ch[1:])

    def title(self, meta, ch):
        return list(ch)

    def enum_decl(self, meta, ch):
        name = _toks(ch, "NAME")[0]
        tags = tuple(str(t)[1:] for t in _toks(ch, "TAG"))
        return A.Enum(str(name), tags, _mspan(meta))

    def let_stmt(self, meta, ch):
        return A.Let(tuple(_nodes(ch)[0]), False, _mspan(meta))

    def let_rec_stmt(self, meta, ch):
        return A.Let(tuple(_nodes(ch)[0]), True, _mspan(meta))

    def match_stmt(self, meta, ch):
        expr, (cases, default) = _nodes(ch)
        return A.MatchStmt(expr, cases, default, _mspan(meta))

    def ins_clauses(self, meta, ch):
        cases = tuple(c for c in ch if isinstance(c, A.MatchStmtCase))
        defaults = [c.body for c in ch if isinstance(c, _Default)]
        return (cases, defaults[0] if defaults else None)

    def ins_clause(self, meta, ch):
        tag = _toks(ch, "TAG")[0]
        return A.MatchStmtCase(str(tag)[1:], _stmts(ch), _mspan(meta))

    def ins_default(self, meta, ch):
        return _Default(_stmts(ch))

    def check(self, meta, ch):
        mode = "check"
        negated = False
        test = ""
        name = None
        expr = _nodes(ch)[0]
        for i, c in enumerate(ch):
            if not isinstance(c, Token):
                continue
            if c.type in _MODES:
                mode = _MODES[c.type]
            elif c.type == "TILDE":
                negated = True
            elif c.type in ("ACYCLIC", "IRREFLEXIVE", "TESTEMPTY"):
                test = str(c)
            elif c.type == "NAME":
                name = str(c)
        return A.Check(test, expr, negated, name, mode == "flag", _mspan(meta), mode=mode)

    def show_as(self, meta, ch):
        expr = _nodes(ch)[0]
        name = _toks(ch, "NAME")[-1]
        return A.Show((expr,), (str(name),), False, _mspan(meta))

    def _show(self, meta, ch, unshow):
        names = _toks(ch, "NAME")
        exprs = tuple(A.Var(str(n), _tspan(n)) for n in names)
        return A.Show(exprs, (None,) * len(names), unshow, _mspan(meta))

    def show(self, meta, ch):
        return self._show(meta, ch, False)

    def unshow(self, meta, ch):
        return self._show(meta, ch, True)

    def include(self, meta, ch):
        s = _toks(ch, "STRING")[0]
        return A.Include(str(s)[1:-1], _mspan(meta))

    def procedure(self, meta, ch):
        name = _toks(ch, "NAME")[0]
        params = next(c for c in ch if isinstance(c, _Params))
        return A.Procedure(str(name), tuple(params), _stmts(ch), _mspan(meta), rec=_has(ch, "REC"))

    def procedure1(self, meta, ch):
        toks = _toks(ch, "NAME", "UNDERSCORE")
        return A.Procedure(
            str(toks[0]), (_pname(toks[1]),), _stmts(ch), _mspan(meta), rec=_has(ch, "REC")
        )

    def call(self, meta, ch):
        names = _toks(ch, "NAME")
        arg = _nodes(ch)[0]
        as_name = str(names[1]) if len(names) > 1 else None
        return A.CallProc(str(names[0]), arg, as_name, _mspan(meta))

    def debug(self, meta, ch):
        return A.Debug(_nodes(ch)[0], _mspan(meta))

    def forall(self, meta, ch):
        name = _toks(ch, "NAME")[0]
        nodes = _nodes(ch)
        return A.Forall(str(name), nodes[0], tuple(nodes[1:]), _mspan(meta))

    def with_from(self, meta, ch):
        name = _toks(ch, "NAME")[0]
        return A.With(str(name), _nodes(ch)[0], _mspan(meta))

    def _events(self, meta, ch, default):
        kind = _toks(ch, "NAME")[0]
        args = tuple(next(c for c in ch if isinstance(c, _Params)))
        tagset = args[0].name if len(args) == 1 and isinstance(args[0], A.Var) else ""
        return A.Instructions(str(kind), tagset, _mspan(meta), args=args, default=default)

    def instructions(self, meta, ch):
        return self._events(meta, ch, False)

    def default_decl(self, meta, ch):
        return self._events(meta, ch, True)

    def if_stmt(self, meta, ch):
        cond = _nodes(ch)[0]
        orelse = next((c.body for c in ch if isinstance(c, _Else)), ())
        then = tuple(c for c in _nodes(ch)[1:] if not isinstance(c, _Else))
        return A.IfStmt(cond, then, orelse, _mspan(meta))

    def else_ins(self, meta, ch):
        return _Else(tuple(_nodes(ch)))

    # ------------------------------------------------------------ bindings

    def bindings(self, meta, ch):
        return _Bindings(_nodes(ch))

    def bind_simple(self, meta, ch):
        return A.Binding(_pname(ch[0]), None, _nodes(ch)[0], _mspan(meta))

    def bind_tuple(self, meta, ch):
        pats = next(c for c in ch if isinstance(c, _Params))
        body = _nodes(ch)[-1]
        return A.TupleBinding((_pname(ch[0]),) + tuple(pats), body, _mspan(meta))

    def bind_tuple_paren(self, meta, ch):
        params = next(c for c in ch if isinstance(c, _Params))
        body = _nodes(ch)[-1]
        if len(params) == 1:  # herd: a one-name pattern is just the name
            return A.Binding(params[0], None, body, _mspan(meta))
        return A.TupleBinding(tuple(params), body, _mspan(meta))

    def bind_fun1(self, meta, ch):
        return A.Binding(str(ch[0]), (_pname(ch[1]),), _nodes(ch)[-1], _mspan(meta))

    def bind_fun(self, meta, ch):
        params = next(c for c in ch if isinstance(c, _Params))
        return A.Binding(str(ch[0]), tuple(params), _nodes(ch)[-1], _mspan(meta))

    def pats(self, meta, ch):
        return _Params(_pname(t) for t in _toks(ch, "NAME", "UNDERSCORE"))

    formals = pats

    # ------------------------------------------------------------ expressions

    def let_in(self, meta, ch):
        b, body = _nodes(ch)
        return A.LetIn(tuple(b), False, body, _mspan(meta))

    def let_rec_in(self, meta, ch):
        b, body = _nodes(ch)
        return A.LetIn(tuple(b), True, body, _mspan(meta))

    def fun1(self, meta, ch):
        return A.Fun((_pname(ch[1]),), _nodes(ch)[-1], False, _mspan(meta))

    def fun(self, meta, ch):
        params = next(c for c in ch if isinstance(c, _Params))
        return A.Fun(tuple(params), _nodes(ch)[-1], len(params) != 1, _mspan(meta))

    def try_(self, meta, ch):
        e, d = _nodes(ch)
        return A.Try(e, d, _mspan(meta))

    def if_exp(self, meta, ch):
        cond, then, orelse = _nodes(ch)
        return A.IfExpr(cond, then, orelse, _mspan(meta))

    def match_exp(self, meta, ch):
        expr, (cases, default) = _nodes(ch)
        return A.Match(expr, cases, default, _mspan(meta))

    def tuple(self, meta, ch):
        return A.Tuple(tuple(_nodes(ch)), _mspan(meta))

    def cmp_cond(self, meta, ch):
        left, right = _nodes(ch)
        return A.CompareCond(str(ch[1]), left, right, _mspan(meta))

    def v_or(self, meta, ch):
        a, b = _nodes(ch)
        return A.VariantCond("or", None, (a, b), _mspan(meta))

    def v_and(self, meta, ch):
        a, b = _nodes(ch)
        return A.VariantCond("and", None, (a, b), _mspan(meta))

    def v_not(self, meta, ch):
        return A.VariantCond("not", None, (_nodes(ch)[0],), _mspan(meta))

    def v_var(self, meta, ch):
        return A.VariantCond("var", str(ch[0])[1:-1], (), _mspan(meta))

    def tag_clauses(self, meta, ch):
        cases = tuple(c for c in ch if isinstance(c, A.MatchCase))
        defaults = [c.body for c in ch if isinstance(c, _Default)]
        return (cases, defaults[0] if defaults else None)

    def tag_clause(self, meta, ch):
        return A.MatchCase("tag", (str(ch[0])[1:],), _nodes(ch)[-1], _mspan(meta))

    def default_clause(self, meta, ch):
        return _Default(_nodes(ch)[-1])

    def set_clauses(self, meta, ch):
        return (tuple(c for c in ch if isinstance(c, A.MatchCase)), None)

    def empty_clause(self, meta, ch):
        return A.MatchCase("empty", (), _nodes(ch)[-1], _mspan(meta))

    def cons_clause(self, meta, ch):
        names = tuple(_pname(t) for t in _toks(ch, "NAME", "UNDERSCORE"))
        return A.MatchCase("cons", names, _nodes(ch)[-1], _mspan(meta))

    def split_clause(self, meta, ch):
        names = tuple(_pname(t) for t in _toks(ch, "NAME", "UNDERSCORE"))
        return A.MatchCase("split", names, _nodes(ch)[-1], _mspan(meta))

    def binop(self, meta, ch):
        left, op, right = ch
        return A.Binop(_BINOPS[op.type], left, right, _mspan(meta))

    def comp(self, meta, ch):
        return A.Unop("~", ch[1], _mspan(meta))

    def closure(self, meta, ch):
        if ch[-1].type == "INV":  # closure ^-1, or closure -1
            return A.Unop("^-1", ch[0], _mspan(meta))
        return A.Unop(_CLOSURES[ch[1].type], ch[0], _mspan(meta))

    def inverse(self, meta, ch):
        return A.Unop("^-1", ch[0], _mspan(meta))

    def empty(self, meta, ch):
        return A.Empty(_mspan(meta))

    def tag(self, meta, ch):
        return A.Tag(str(ch[0])[1:], _mspan(meta))

    def setlit(self, meta, ch):
        items = next(c for c in ch if isinstance(c, _Params))
        return A.SetLit(tuple(items), _mspan(meta))

    def universe(self, meta, ch):
        return A.Universe(_mspan(meta))

    def unit(self, meta, ch):
        return A.Tuple((), _mspan(meta))

    def paren(self, meta, ch):
        return _nodes(ch)[0]

    def toid(self, meta, ch):
        return A.Unop("[]", _nodes(ch)[0], _mspan(meta))

    def var(self, meta, ch):
        return A.Var(str(ch[0]), _mspan(meta))

    def apply(self, meta, ch):
        fn, arg = ch
        return A.App(fn, arg, _mspan(meta))

    def args(self, meta, ch):
        return _Params(_nodes(ch))


_TRANSFORMER = _ToAst()


# ---------------------------------------------------------------- errors

_EXPR_START = frozenset(
    {"NAME", "TAG", "ZERO", "UNDERSCORE", "LPAR", "LBRACK", "LBRACE", "BEGIN", "TILDE",
     "LET", "FUN", "TRY", "IF", "MATCH"}
)

_HUMAN = {
    "NAME": "a name",
    "STRING": 'a "string"',
    "TAG": "a 'tag",
    "$END": "end of file",
    "TESTEMPTY": "'empty'",
}


def _human(term: str, lark: Lark) -> str:
    if term in _HUMAN:
        return _HUMAN[term]
    try:
        pattern = lark.get_terminal(term).pattern
        if pattern.type == "str":
            return f"'{pattern.value}'"
    except KeyError:
        pass
    return term.lower()


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "NAME":
        return f"name '{tok}'"
    if tok.type == "STRING":
        return f"string {tok}"
    return f"'{tok}'"


def _previous_token(lark: Lark, text: str, pos: int) -> Token | None:
    prev = None
    try:
        for tok in lark.lex(text):
            if tok.start_pos is None or tok.start_pos >= pos:
                break
            prev = tok
    except UnexpectedInput:
        pass
    return prev


def _syntax_error(err: UnexpectedInput, text: str, stripped: str, path: str) -> LitmusError:
    lark = _lark()
    if isinstance(err, UnexpectedCharacters):
        ch = stripped[err.pos_in_stream] if err.pos_in_stream < len(stripped) else ""
        span = Span(err.line, err.column, err.line, err.column + 1)
        if ch == '"':
            msg = "unterminated string: '\"' is never closed"
        elif ch == "-":
            msg = (
                "unexpected '-': cat has no minus operator ('a-b' is a single name); "
                "write '\\' for difference"
            )
        elif ch.isdigit():
            msg = f"unexpected '{ch}': the only number in cat is 0 (the empty relation)"
        else:
            msg = f"unexpected character '{ch}'"
        return LitmusError(msg, path, span, source=text)

    assert isinstance(err, UnexpectedToken)
    tok = err.token
    expected = set(err.expected)
    if tok.type == "$END":
        prev = _previous_token(lark, stripped, len(stripped) + 1)
        if prev is not None and prev.end_line is not None:
            span = Span(prev.end_line, prev.end_column, prev.end_line, prev.end_column + 1)
        else:
            span = Span(1, 1)
    else:
        prev = _previous_token(lark, stripped, tok.start_pos)
        span = _tspan(tok)
    after = ""
    if prev is not None:
        after = f" after {prev}" if prev.type == "TAG" else f" after '{prev}'"
    found = _describe_token(tok)
    if "LPAR" in expected and expected <= _EXPR_START | {"STRING", "NOT"}:
        if tok.type == "$END":
            msg = f"expected an expression{after}, found end of file"
        else:
            msg = f"expected an expression{after}, found {found}"
    elif len(expected) <= 4:
        wanted = sorted({_human(t, lark) for t in expected})
        if len(wanted) > 1:
            wanted_s = ", ".join(wanted[:-1]) + " or " + wanted[-1]
        else:
            wanted_s = wanted[0] if wanted else "something else"
        msg = f"expected {wanted_s}{after}, found {found}"
    elif tok.type == "$END" and "END" in expected:
        msg = "unexpected end of file: an 'end' is missing"
    elif tok.type in ("STAR", "PLUS", "QMARK") and prev is not None:
        msg = (
            f"unexpected '{tok}': ~, binary * and the postfix * + ? do not combine without "
            "parentheses (they are non-associative in herd), e.g. write ~(a*) or (a*b)+"
        )
    else:
        msg = f"unexpected {found}"
        if prev is not None and tok.type in ("RPAR", "RBRACK", "RBRACE", "END"):
            msg += " (nothing to close here)"
    return LitmusError(msg, path, span, source=text)


# ---------------------------------------------------------------- entry points


def _title(items: list[Token], path: str, text: str) -> tuple[str | None, str | None, tuple]:
    words: list[Token] = []
    options: list[str] = []
    for t in items:
        if t.type == "NAME" and (str(t) in _TITLE_OPTIONS and words or str(t) == "catdep"):
            options.append(str(t))
        elif options:
            raise LitmusError(
                f"unexpected {_describe_token(t)} after the model options",
                path, _tspan(t), source=text,
            )
        else:
            words.append(t)
    if len(words) > 2:
        t = words[2]
        raise LitmusError(
            f"unexpected {_describe_token(t)}: a model title is at most a name and a name or "
            "string (e.g. `X86 TSO`), and a statement starts with a keyword",
            path, _tspan(t), source=text,
        )

    def val(t: Token) -> str:
        return str(t)[1:-1] if t.type == "STRING" else str(t)

    if not words:
        return None, None, tuple(options)
    if len(words) == 1:
        return val(words[0]), None, tuple(options)
    return val(words[1]), val(words[0]), tuple(options)


@lru_cache(maxsize=64)
def _parse_cached(text: str, path: str) -> A.Model:
    return _parse(text, path)


# ---------------------------------------------------------------- model files' parses kept on disk
# Parsing LKMM takes 37 ms, a tenth of a one-test run's start-up; unpickling the parse, 1 ms.
# A model file's parse is kept in the user's cache folder (LITMUS_CACHE_DIR, else
# $XDG_CACHE_HOME/litmus or ~/.cache/litmus; set empty, none) under a hash of the file's text
# and path and of this parser (its code, grammar and AST classes): an edit to either makes a
# new entry. Any trouble reading or writing the cache only means parsing again.


@lru_cache(maxsize=1)
def _parser_hash() -> bytes:
    digest = hashlib.sha256()
    for name in ("parser.py", "ast.py", "cat.lark"):
        digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.digest()


def _kept_file(text: str, path: str) -> Path | None:
    folder = os.environ.get("LITMUS_CACHE_DIR")
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "litmus")
    if not folder:  # LITMUS_CACHE_DIR= (empty): no cache
        return None
    digest = hashlib.sha256(_parser_hash())
    digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + text.encode("utf-8", "surrogatepass"))
    return Path(folder) / f"cat-{digest.hexdigest()[:40]}.pickle"


def _read_kept(kept: Path | None) -> A.Model | None:
    if kept is None:
        return None
    try:
        with open(kept, "rb") as f:
            model = pickle.load(f)
    except Exception:  # absent, unreadable or from another Python: parse again
        return None
    return model if isinstance(model, A.Model) else None


def _keep(kept: Path | None, model: A.Model) -> None:
    if kept is None:
        return
    try:
        kept.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}")
        with open(partial, "wb") as f:
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, kept)  # whole or not at all, for a reader in another process
    except Exception:  # a read-only home, a model too deep to pickle: not kept
        pass


def _parse(text: str, path: str) -> A.Model:
    stripped = _blank_comments(text, path)
    lark = _lark()
    try:
        tree = lark.parse(stripped)
    except UnexpectedInput as err:
        raise _syntax_error(err, text, stripped, path) from None
    chain = too_deep(tree, lambda node: node.children if isinstance(node, Tree) else ())
    if chain:  # the transformer and the interpreter recurse once per level
        line, column = next((n.meta.line, n.meta.column) for n in reversed(chain)
                            if isinstance(n, Tree) and not n.meta.empty)  # fmt: skip
        raise LitmusError(f"nested more than {MAX_NESTING} levels deep", path, Span(line, column), text)
    try:
        title_items, stmts = _TRANSFORMER.transform(tree)
    except VisitError as err:  # pragma: no cover - a bug in the transformer
        if isinstance(err.orig_exc, LitmusError):
            raise err.orig_exc.located(path, text) from None
        raise
    title, arch, options = _title(title_items, path, text)
    return A.Model(title, stmts, path, text, arch=arch, options=options)


def parse_cat(text: str, path: str = "<input>") -> A.Model:
    """Parse the text of a .cat or .bell file; raises LitmusError on a syntax error."""
    return _parse_cached(text, path)


def parse_cat_file(path: str | Path) -> A.Model:
    """Read and parse a .cat or .bell file; a missing or unreadable file raises LitmusError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise LitmusError(f"model file not found: {p}", str(p)) from None
    except OSError as err:
        raise LitmusError(f"cannot read model file {p}: {err.strerror or err}", str(p)) from None
    kept = _kept_file(text, str(p))
    model = _read_kept(kept)
    if model is None:
        model = parse_cat(text, str(p))
        _keep(kept, model)
    return model

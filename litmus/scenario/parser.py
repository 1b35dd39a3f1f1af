"""Parse a pageblock scenario (.pb) into frozen AST dataclasses; errors name file:line:col."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from litmus.errors import LitmusError, Span
from litmus.scenario import ast

_PARSER: Lark | None = None


def _span(meta) -> Span:  # type: ignore[no-untyped-def]
    if getattr(meta, "empty", True):
        return ast.NOSPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(tok: Token) -> Span:
    return Span(tok.line or 0, tok.column or 0, tok.end_line, tok.end_column)


@v_args(meta=True)
class _ToAst(Transformer):
    # -- expressions
    def e_int(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Int(int(c[0]), _tok_span(c[0]))

    def e_name(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Name(str(c[0]), _tok_span(c[0]))

    def _fold(self, meta, c):  # type: ignore[no-untyped-def]
        out = c[0]
        for k in range(1, len(c), 2):
            out = ast.BinOp(str(c[k]), out, c[k + 1], _span(meta))
        return out

    e_add = _fold
    e_mul = _fold

    # -- conditions
    def c_cmp(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Compare(str(c[1]), c[0], c[2], _span(meta))

    def c_in(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.In(c[0], tuple(c[1:]), _span(meta))

    def c_not(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.BoolOp("not", (c[0],), _span(meta))

    def c_and(self, meta, c):  # type: ignore[no-untyped-def]
        return c[0] if len(c) == 1 else ast.BoolOp("and", tuple(c), _span(meta))

    def c_or(self, meta, c):  # type: ignore[no-untyped-def]
        return c[0] if len(c) == 1 else ast.BoolOp("or", tuple(c), _span(meta))

    def guard(self, meta, c):  # type: ignore[no-untyped-def]
        return ("guard", c[0])

    # -- pageblocks
    def pb_range(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.PbRange(c[0], c[1], _span(meta))

    def pb_list(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.PbList(tuple(c), _span(meta))

    def pb_one(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.PbList((c[0],), _span(meta))

    # -- modifiers
    def mod_reverse(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Modifier("reverse", span=_span(meta))

    def mod_once(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Modifier("once", span=_span(meta))

    def mod_release(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Modifier("release", span=_span(meta))

    def mod_acquire(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Modifier("acquire", span=_span(meta))

    def mod_fence(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Modifier("fence", str(c[0]), span=_span(meta))

    def mod_locked(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Modifier("locked", str(c[0]), span=_span(meta))

    def when_mod(self, meta, c):  # type: ignore[no-untyped-def]
        m = c[0]
        return ast.Modifier(m.kind, m.arg, c[1], _span(meta))

    # -- statements
    @staticmethod
    def _split_guard(c):  # type: ignore[no-untyped-def]
        if c and isinstance(c[-1], tuple) and c[-1][:1] == ("guard",):
            return list(c[:-1]), c[-1][1]
        return list(c), None

    def action(self, meta, c):  # type: ignore[no-untyped-def]
        c, guard = self._split_guard(c)
        return ast.Action(str(c[0]), c[1], tuple(c[2:]), guard, _span(meta))

    def fence(self, meta, c):  # type: ignore[no-untyped-def]
        c, guard = self._split_guard(c)
        return ast.Fence(str(c[0]), guard, _span(meta))

    def _block(kind):  # type: ignore[no-untyped-def]
        def make(self, meta, c):  # type: ignore[no-untyped-def]
            c, guard = self._split_guard(c)
            return ast.Block(kind, tuple(c), guard, _span(meta))

        return make

    batch = _block("batch")
    locked = _block("locked")
    unlocked = _block("unlocked")

    # -- questions
    def q_reordered(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Question("reordered", cpu=str(c[0]), span=_span(meta))

    def q_torn(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Question("torn", cpu=str(c[0]), span=_span(meta))

    def q_saw_missed(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Question("saw_missed", cpu=str(c[2]), saw=c[0], missed=c[1], span=_span(meta))

    def q_both(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Question("both_succeeded", span=_span(meta))

    def q_leaked(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Question("leaked", span=_span(meta))

    def q_lost(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Question("lost", span=_span(meta))

    # -- items
    def scenario(self, meta, c):  # type: ignore[no-untyped-def]
        title = str(c[1])[1:-1] if len(c) > 1 else ""
        return ("scenario", str(c[0]), title, _span(meta))

    def param_range(self, meta, c):  # type: ignore[no-untyped-def]
        return ("range", c[0], c[1])

    def param_list(self, meta, c):  # type: ignore[no-untyped-def]
        return ("list", tuple(c))

    def param(self, meta, c):  # type: ignore[no-untyped-def]
        name, values = str(c[0]), c[1]
        if values[0] == "range":
            return ast.Param(name, lo=values[1], hi=values[2], span=_span(meta))
        return ast.Param(name, values=values[1], span=_span(meta))

    def require(self, meta, c):  # type: ignore[no-untyped-def]
        return ("require", c[0])

    def pageblocks(self, meta, c):  # type: ignore[no-untyped-def]
        return ("pageblocks", c[0], _span(meta))

    def name(self, meta, c):  # type: ignore[no-untyped-def]
        return ("name", str(c[0])[1:-1])

    def cpu(self, meta, c):  # type: ignore[no-untyped-def]
        return ast.Cpu(str(c[0]), tuple(c[1:]), _span(meta))

    def ask(self, meta, c):  # type: ignore[no-untyped-def]
        q = c[0]
        label = None
        guard = None
        for extra in c[1:]:
            if isinstance(extra, tuple):
                guard = extra[1]
            else:
                label = str(extra)
        return ast.Question(q.kind, q.cpu, q.saw, q.missed, label, guard, _span(meta))

    def start(self, meta, c):  # type: ignore[no-untyped-def]
        return list(c)


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        grammar = resources.files("litmus.scenario").joinpath("scenario.lark").read_text(encoding="utf-8")
        _PARSER = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True)
    return _PARSER


_NAMES = {
    "NAME": "a name", "INT": "a number", "STRING": "a string", "VERB": "an action (set, read, isolate, restore)",
    "FENCE": "a barrier (smp_mb, smp_rmb, smp_wmb)", "LOCKMODE": "'each' or 'group'", "CMP": "a comparison",
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'",
    "COMMA": "','", "EQUAL": "'='", "$END": "end of file",
}  # fmt: skip


def _describe(expected: set[str]) -> str:
    words = sorted({_NAMES.get(t, f"'{t.lower()}'" if t.isupper() and not t.startswith("__") else t) for t in expected})
    words = [w for w in words if not w.startswith("__ANON")]
    if not words:
        return "something else"
    if len(words) > 6:
        return ", ".join(words[:6]) + ", ..."
    return " or ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " or " + words[-1]


def _syntax_error(e: UnexpectedInput, text: str, path: str) -> LitmusError:
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        lines = text.splitlines() or [""]
        span = Span(len(lines), len(lines[-1]) + 1)
        return LitmusError("unexpected end of file", path, span, text)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        return LitmusError(
            f"expected {_describe(set(e.accepts or e.expected))}, found '{tok}'", path, _tok_span(tok), text
        )
    if isinstance(e, UnexpectedCharacters):
        m = re.compile(r"[A-Za-z0-9_]+|\S").match(text, e.pos_in_stream)
        found = m.group(0) if m else text[e.pos_in_stream : e.pos_in_stream + 1]
        span = Span(e.line, e.column, e.line, e.column + max(1, len(found)))
        return LitmusError(f"unexpected '{found}'", path, span, text)
    return LitmusError(str(e), path, Span(getattr(e, "line", 1), getattr(e, "column", 1)), text)


def parse_scenario(text: str, path: str = "<input>") -> ast.Scenario:
    """Parse scenario text; a LitmusError with file:line:col for anything wrong."""
    try:
        tree = _parser().parse(text)
        items = _ToAst().transform(tree)
    except UnexpectedInput as e:
        raise _syntax_error(e, text, path) from None
    except VisitError as e:  # pragma: no cover - a bug in the transformer
        raise LitmusError(f"internal error: {e.orig_exc}", path) from None

    def err(message: str, span: Span) -> LitmusError:
        return LitmusError(message, path, span, text)

    header = None
    params: list[ast.Param] = []
    requires: list[ast.Cond] = []
    pageblocks = None
    template = None
    cpus: list[ast.Cpu] = []
    questions: list[ast.Question] = []
    for item in items:
        if isinstance(item, tuple) and item[0] == "scenario":
            if header is not None:
                raise err("a file describes one scenario: second 'scenario' line", item[3])
            header = item
        elif isinstance(item, ast.Param):
            if any(p.name == item.name for p in params):
                raise err(f"parameter '{item.name}' defined twice", item.span)
            params.append(item)
        elif isinstance(item, tuple) and item[0] == "require":
            requires.append(item[1])
        elif isinstance(item, tuple) and item[0] == "pageblocks":
            if pageblocks is not None:
                raise err("'pageblocks' given twice", item[2])
            pageblocks = item[1]
        elif isinstance(item, tuple) and item[0] == "name":
            template = item[1]
        elif isinstance(item, ast.Cpu):
            if any(c.name == item.name for c in cpus):
                raise err(f"CPU '{item.name}' defined twice", item.span)
            cpus.append(item)
        elif isinstance(item, ast.Question):
            questions.append(item)
    first = Span(1, 1)
    if header is None:
        raise err("missing 'scenario NAME' line", first)
    if pageblocks is None:
        raise err("missing 'pageblocks N' line (how many pageblocks the run has)", header[3])
    if not cpus:
        raise err("a scenario needs at least one 'cpu NAME { ... }'", header[3])
    if not questions:
        raise err("a scenario needs at least one 'ask ...' (the question the tests answer)", header[3])
    cpu_names = {c.name for c in cpus}
    for q in questions:
        if q.cpu is not None and q.cpu not in cpu_names:
            raise err(f"unknown CPU '{q.cpu}' (CPUs: {', '.join(c.name for c in cpus)})", q.span)
    return ast.Scenario(
        name=header[1], title=header[2], params=tuple(params), requires=tuple(requires),
        pageblocks=pageblocks, cpus=tuple(cpus), questions=tuple(questions), name_template=template,
        path=path, source=text, span=header[3],
    )  # fmt: skip


def parse_scenario_file(path: str) -> ast.Scenario:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")  # a bad byte is a located error later
    except OSError as e:
        raise LitmusError(f"cannot read {path}: {e.strerror or e}", path) from None
    return parse_scenario(text, path)

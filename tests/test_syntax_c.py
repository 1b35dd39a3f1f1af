"""Parser for herd7's C litmus dialect: corpus-wide parsing, exact ASTs of small tests, errors,
and herd's printing of conditions."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from litmus.errors import LitmusError
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
    Unary,
)
from litmus.syntax.c_parser import parse_file, parse_litmus
from litmus.syntax.printer import format_condition, format_location, format_prop, format_value

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

C_FOLDERS = [
    "lkmm-kernel/tests",
    "herd-linux",
    "paulmck-dev",
    "classic/C",
    "pageblock-sample",
]


def _corpus(sub: str) -> Path:
    folder = CORPUS / sub
    if not folder.is_dir():
        pytest.skip(f"corpus folder {folder} not present")
    return folder


def _is_c(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as f:
        first = f.readline().split()
    return bool(first) and first[0] == "C"


# ---------------------------------------------------------------- (a) the whole corpus parses


def _check_ast(node, where):
    """Every node is one of our dataclasses (no parser leftovers) and carries a span."""
    if isinstance(node, tuple):
        for x in node:
            _check_ast(x, where)
        return
    if isinstance(node, (str, int)) or node is None:
        return
    assert dataclasses.is_dataclass(node), f"{where}: unexpected {node!r}"
    if hasattr(node, "span"):
        assert node.span.line > 0, f"{where}: no position for {node!r}"
    for f in dataclasses.fields(node):
        if f.name not in ("span", "source"):
            _check_ast(getattr(node, f.name), where)


EXPECTED_COUNTS = {"lkmm-kernel/tests": 47, "herd-linux": 79, "paulmck-dev": 1000}


@pytest.mark.parametrize("sub", C_FOLDERS)
def test_corpus_folder_parses(sub):
    folder = _corpus(sub)
    files = sorted(p for p in folder.rglob("*.litmus") if _is_c(p))
    assert files, f"no C litmus tests under {folder}"
    if sub in EXPECTED_COUNTS:
        assert len(files) == EXPECTED_COUNTS[sub]
    texts = [(str(f), f.read_text(encoding="utf-8")) for f in files]
    parse_litmus("C warm\n{}\nP0(int *x) { }\nexists (x=0)\n")  # builds the parser
    failures = []
    parsed = []
    for path, text in texts:
        try:
            parsed.append(parse_litmus(text, path))
        except LitmusError as e:
            failures.append(e.render())
    assert not failures, f"{len(failures)} of {len(files)} failed:\n" + "\n\n".join(failures[:10])
    for test in parsed:
        assert test.arch == "C"
        assert test.threads, f"{test.path}: no threads"
        assert test.condition.quantifier in ("exists", "~exists", "forall")
        _check_ast(test, test.path)


def test_the_c_parser_refuses_other_dialects():
    """The C front end reads only C; litmus.arch.parse_file reads every dialect (test_asm.py)."""
    folder = _corpus("classic")
    others = sorted(p for p in folder.rglob("*.litmus") if not _is_c(p))
    assert others
    for f in others:
        with pytest.raises(LitmusError) as info:
            parse_file(str(f))
        assert info.value.span.line == 1
        assert info.value.message.endswith(", not C")


# ---------------------------------------------------------------- (b) exact ASTs of small tests

MP = """C MP+wmb+rmb
"message passing"
Cycle=Rfe PodRR Fre PodWW
(* Result: Never *)

{
  x=1; 0:r1=2;
}

P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	smp_wmb();
	WRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*y);
	smp_rmb();
	r1 = READ_ONCE(*x);
}

exists (1:r0=1 /\\ 1:r1=0) (* the bad outcome *)
"""


def test_mp_exact():
    t = parse_litmus(MP, "mp.litmus")
    assert t.arch == "C"
    assert t.name == "MP+wmb+rmb"
    assert t.doc == "message passing"
    assert t.info == (("Cycle", "Rfe PodRR Fre PodWW"),)
    assert t.init == (
        InitEntry(MemLoc("x"), IntValue(1), None),
        InitEntry(RegLoc(0, "r1"), IntValue(2), None),
    )
    assert [th.proc for th in t.threads] == [0, 1]
    assert t.threads[0].params == (Param("int *", "x"), Param("int *", "y"))
    assert t.threads[0].body == (
        ExprStmt(Call("WRITE_ONCE", (Deref(Name("x")), Const(1)))),
        ExprStmt(Call("smp_wmb", ())),
        ExprStmt(Call("WRITE_ONCE", (Deref(Name("y")), Const(1)))),
    )
    assert t.threads[1].body == (
        Decl("int", "r0", None),
        Decl("int", "r1", None),
        Assign(Name("r0"), Call("READ_ONCE", (Deref(Name("y")),))),
        ExprStmt(Call("smp_rmb", ())),
        Assign(Name("r1"), Call("READ_ONCE", (Deref(Name("x")),))),
    )
    assert t.locations == ()
    assert t.filter is None
    assert t.condition == Condition(
        "exists",
        PAnd(PAtom(RegLoc(1, "r0"), IntValue(1)), PAtom(RegLoc(1, "r1"), IntValue(0))),
    )
    assert t.path == "mp.litmus"
    assert t.source == MP


def test_spans_point_into_the_file():
    t = parse_litmus(MP, "mp.litmus")
    th = t.threads[1]
    assert (th.span.line, th.span.column) == (17, 1)
    assign = th.body[2]
    assert (assign.span.line, assign.span.column) == (22, 2)
    atom = t.condition.prop.right
    assert (atom.span.line, atom.span.column) == (27, 19)
    assert (t.init[1].span.line, t.init[1].span.column) == (7, 8)


def _wrap(body: str, init: str = "{}", params: str = "int *x, int *y", cond: str = "exists (x=0)") -> str:
    return f"C T\n{init}\nP0({params})\n{{\n{body}\n}}\n{cond}\n"


def _body(body: str, **kw):
    return parse_litmus(_wrap(body, **kw)).threads[0].body


def test_init_forms():
    t = parse_litmus(
        _wrap(
            "",
            init="{ int x; atomic_t y; int z=2; spinlock_t l; int *p=&x; q=x; 1:r0=x; P1:r2=-3;"
            " atomic_t v = ATOMIC_INIT(1); [w]=0x10; int **pp; foo_t f = 4; *u = y ;; }",
        )
    )
    assert t.init == (
        InitEntry(MemLoc("x"), None, "int"),
        InitEntry(MemLoc("y"), None, "atomic_t"),
        InitEntry(MemLoc("z"), IntValue(2), "int"),
        InitEntry(MemLoc("l"), None, "spinlock_t"),
        InitEntry(MemLoc("p"), AddrValue("x"), "int *"),
        InitEntry(MemLoc("q"), AddrValue("x"), None),
        InitEntry(RegLoc(1, "r0"), AddrValue("x"), None),
        InitEntry(RegLoc(1, "r2"), IntValue(-3), None),
        InitEntry(MemLoc("v"), IntValue(1), "atomic_t"),
        InitEntry(MemLoc("w"), IntValue(16), None),
        InitEntry(MemLoc("pp"), None, "int **"),
        InitEntry(MemLoc("f"), IntValue(4), "foo_t"),
        InitEntry(MemLoc("u"), AddrValue("y"), "*"),
    )


def test_empty_init_and_no_params():
    t = parse_litmus("C T\n{ }\nP0() { smp_mb(); }\nP1( ) { }\nexists (true)\n")
    assert t.init == ()
    assert t.threads[0].params == ()
    assert t.threads[1].body == ()
    assert t.condition == Condition("exists", PTrue())


def test_params():
    t = parse_litmus(
        _wrap("", params="int *x, spinlock_t *l, int **p, volatile int *v, atomic_t *a, "
                         "struct srcu_struct *s, intptr_t *u")
    )
    assert [(p.type, p.name) for p in t.threads[0].params] == [
        ("int *", "x"),
        ("spinlock_t *", "l"),
        ("int **", "p"),
        ("volatile int *", "v"),
        ("atomic_t *", "a"),
        ("struct srcu_struct *", "s"),
        ("intptr_t *", "u"),
    ]


def test_declarations():
    assert _body("int r0; int r1 = 1; int *r2; intptr_t r3 = (intptr_t)x; int r4, *r5 = y;") == (
        Decl("int", "r0", None),
        Decl("int", "r1", Const(1)),
        Decl("int *", "r2", None),
        Decl("intptr_t", "r3", Cast("intptr_t", Name("x"))),
        Decl("int", "r4", None),
        Decl("int *", "r5", Name("y")),
    )


def test_stores_calls_and_casts():
    assert _body(
        "*x = 1; r1 = *(intptr_t *)r0; WRITE_ONCE(*(int *)r1, -2); (void)cmpxchg(x, 0, 1);"
        " r2 = atomic_add_return(1, &x); r3 = srcu_read_lock(s); *x += 1;"
    ) == (
        Assign(Deref(Name("x")), Const(1)),
        Assign(Name("r1"), Deref(Cast("intptr_t *", Name("r0")))),
        ExprStmt(Call("WRITE_ONCE", (Deref(Cast("int *", Name("r1"))), Const(-2)))),
        ExprStmt(Cast("void", Call("cmpxchg", (Name("x"), Const(0), Const(1))))),
        Assign(Name("r2"), Call("atomic_add_return", (Const(1), AddrOf("x")))),
        Assign(Name("r3"), Call("srcu_read_lock", (Name("s"),))),
        Assign(Deref(Name("x")), Binary("+", Deref(Name("x")), Const(1))),
    )


def test_expression_precedence():
    (s,) = _body("r0 = a + b * c - d == e & f | g ^ h && !i || ~j;")
    b = Binary
    expected = b(
        "||",
        b(
            "&&",
            b("|", b("&", b("==", b("-", b("+", Name("a"), b("*", Name("b"), Name("c"))), Name("d")), Name("e")),
                      Name("f")),
              b("^", Name("g"), Name("h"))),
            Unary("!", Name("i")),
        ),
        Unary("~", Name("j")),
    )
    assert s == Assign(Name("r0"), expected)
    (s,) = _body("r0 = (a + b) * -c << 2 >= 0x1f % 3;")
    assert s.value == b(
        ">=",
        b("<<", b("*", b("+", Name("a"), Name("b")), Unary("-", Name("c"))), Const(2)),
        b("%", Const(31), Const(3)),
    )
    (s,) = _body("r0 = a - b - c;")
    assert s.value == b("-", b("-", Name("a"), Name("b")), Name("c"))


def test_if_else_blocks_flatten():
    body = _body(
        "if (r0 == 1) { WRITE_ONCE(*x, 1); } else if (r0 != 2) r1 = 1; else { { r2 = 2; } r3 = 3; }"
        " { smp_mb(); } if (r1) smp_mb();"
    )
    assert body == (
        If(
            Binary("==", Name("r0"), Const(1)),
            (ExprStmt(Call("WRITE_ONCE", (Deref(Name("x")), Const(1)))),),
            (
                If(
                    Binary("!=", Name("r0"), Const(2)),
                    (Assign(Name("r1"), Const(1)),),
                    (Assign(Name("r2"), Const(2)), Assign(Name("r3"), Const(3))),
                ),
            ),
        ),
        ExprStmt(Call("smp_mb", ())),
        If(Name("r1"), (ExprStmt(Call("smp_mb", ())),), ()),
    )


def test_comments_everywhere():
    text = """C C-comments (* after the name *)
(* a (* nested *) comment *)
{
  x=1; (* in init *)
}
// a line comment
P0(int *x) // here too
{
	/* block
	   comment */ WRITE_ONCE(*x, 2); // trailing
	r0 = (*x); (* ...is C here: a parenthesised dereference... *) ;
}
(* between threads *)
exists (x=2) (* after (* the *) condition *)
"""
    with pytest.raises(LitmusError):
        # `(*` inside thread code is C, so the OCaml-style comment there is a syntax error (as in herd)
        parse_litmus(text)
    text = text.replace("(* ...is C here: a parenthesised dereference... *) ;", "")
    t = parse_litmus(text)
    assert t.name == "C-comments"
    assert t.init == (InitEntry(MemLoc("x"), IntValue(1), None),)
    assert t.threads[0].body == (
        ExprStmt(Call("WRITE_ONCE", (Deref(Name("x")), Const(2)))),
        Assign(Name("r0"), Deref(Name("x"))),
    )
    assert t.condition == Condition("exists", PAtom(MemLoc("x"), IntValue(2)))


def test_name_with_punctuation_and_doc_on_first_line():
    t = parse_litmus('C auto/C-LB+R-Dd.x-1 "a doc"\n{}\nP0() {}\nexists (0:r0=0)\n')
    assert t.name == "auto/C-LB+R-Dd.x-1"
    assert t.doc == "a doc"


def _cond(text: str) -> Condition:
    return parse_litmus(f"C T\n{{}}\nP0(int *x) {{ }}\n{text}\n").condition


def test_condition_atoms():
    assert _cond("exists (1:r0=x /\\ [y]=-1 /\\ z=0x10 /\\ x=y)").prop == PAnd(
        PAnd(
            PAnd(PAtom(RegLoc(1, "r0"), AddrValue("x")), PAtom(MemLoc("y"), IntValue(-1))),
            PAtom(MemLoc("z"), IntValue(16)),
        ),
        PAtom(MemLoc("x"), AddrValue("y")),
    )
    assert _cond("exists (0:r1=1:r2 /\\ x=[y] /\\ P0:r3==1)").prop == PAnd(
        PAnd(PAtom(RegLoc(0, "r1"), RegLoc(1, "r2")), PAtom(MemLoc("x"), MemLoc("y"))),
        PAtom(RegLoc(0, "r3"), IntValue(1)),
    )
    assert _cond("exists (0:r1!=1 \\/ x<>2)").prop == POr(
        PNot(PAtom(RegLoc(0, "r1"), IntValue(1))), PNot(PAtom(MemLoc("x"), IntValue(2)))
    )


def test_condition_precedence():
    a, b, c, d = (PAtom(MemLoc(n), IntValue(1)) for n in "abcd")
    # \/ lowest, then /\, then =>, then ~
    assert _cond("exists a=1 \\/ b=1 /\\ c=1").prop == POr(a, PAnd(b, c))
    assert _cond("exists a=1 /\\ b=1 => c=1 /\\ d=1").prop == PAnd(PAnd(a, PImplies(b, c)), d)
    assert _cond("exists a=1 => b=1 => c=1").prop == PImplies(a, PImplies(b, c))
    assert _cond("exists ~a=1 /\\ not b=1").prop == PAnd(PNot(a), PNot(b))
    assert _cond("exists ~(a=1 \\/ b=1)").prop == PNot(POr(a, b))
    assert _cond("exists (true \\/ false)").prop == POr(PTrue(), PFalse())


def test_quantifiers_locations_filter():
    c = parse_litmus("C T\n{}\nP0(int *x) { }\nlocations [x; 0:r1;]\nfilter (0:r0=1)\n~exists (x=1)\n")
    assert c.locations == (MemLoc("x"), RegLoc(0, "r1"))
    assert c.filter == PAtom(RegLoc(0, "r0"), IntValue(1))
    assert c.condition.quantifier == "~exists"
    assert _cond("forall (x=1)").quantifier == "forall"
    assert _cond("~ exists (x=1)").quantifier == "~exists"
    assert _cond("not exists (x=1)").quantifier == "~exists"
    assert _cond("exists\n(x=1);").quantifier == "exists"
    assert _cond("(x=1)") == Condition("exists", PAtom(MemLoc("x"), IntValue(1)))


def test_keywords_are_not_reserved_as_prefixes():
    body = _body("iffy = 1; structure = elsewhere; r0 = whilex(1); intx = 2;")
    assert [s.target.name for s in body] == ["iffy", "structure", "r0", "intx"]
    assert _cond("exists (1:truex=1 /\\ notx=2)").prop == PAnd(
        PAtom(RegLoc(1, "truex"), IntValue(1)), PAtom(MemLoc("notx"), IntValue(2))
    )


# ---------------------------------------------------------------- (c) errors


def _error(text: str, path: str = "t.litmus") -> LitmusError:
    with pytest.raises(LitmusError) as info:
        parse_litmus(text, path)
    return info.value


def _head(err: LitmusError) -> str:
    return err.render().splitlines()[0]


def _caret_col(err: LitmusError) -> int:
    lines = err.render().splitlines()
    assert len(lines) == 3, err.render()
    return lines[2].index("^") - 4 + 1


def test_truncated_file():
    cut = MP[: MP.index("smp_rmb")]  # ends inside P1
    err = _error(cut)
    assert _head(err) == "t.litmus:22:21: unexpected end of file, expected '}' or a statement"
    # the caret sits just after the last token
    assert _caret_col(err) == 21

    cut = MP[: MP.index("READ_ONCE(*x)") + len("READ_ONCE(*x")]
    err = _error(cut)
    assert _head(err) == "t.litmus:24:19: unexpected end of file, expected '(', ')', ',' or an operator"
    assert err.render().splitlines()[2] == " " * 4 + " " * 18 + "^"

    # a file that ends after its threads is herd's `forall (true)` (tests/test_fidelity.py)
    assert parse_litmus(MP[: MP.index("exists")], "t.litmus").condition.quantifier == "forall"


def test_syntax_error_in_thread_code():
    text = MP.replace("smp_wmb();", "smp_wmb()")
    err = _error(text)
    assert _head(err) == "t.litmus:14:2: expected ';' or an operator, found 'WRITE_ONCE'"
    lines = err.render().splitlines()
    assert lines[1] == "    \tWRITE_ONCE(*y, 1);".expandtabs(1)
    assert lines[2] == "     ^^^^^^^^^^"

    err = _error(MP.replace("r0 = READ_ONCE(*y);", "r0 = ;"))
    assert _head(err) == "t.litmus:22:7: expected an expression, found ';'"

    err = _error(MP.replace("smp_wmb();", "smp_wmb() @;"))
    assert _head(err) == "t.litmus:13:12: expected ')', ',', ';' or an operator, found '@'"
    assert "RPAR" not in err.message and "SEMICOLON" not in err.message


def test_bad_condition():
    err = _error(MP.replace("exists (1:r0=1 /\\ 1:r1=0)", "exists (1:r0=1 /\\ /\\ 1:r1=0)"))
    assert _head(err) == "t.litmus:27:19: expected a proposition, found '/\\'"
    assert err.render().splitlines()[2] == "    " + " " * 18 + "^^"

    err = _error(MP.replace("exists (1:r0=1 /\\ 1:r1=0)", "exists (1:r0 1)"))
    assert _head(err) == "t.litmus:27:14: expected '!=', '=' or '==', found '1'"

    err = _error(MP.replace("exists (1:r0=1 /\\ 1:r1=0)", "exists (1:r0=1"))
    # the comment that follows does not count: the caret goes after the last token
    assert _head(err).startswith("t.litmus:27:15: unexpected end of file, expected ")
    assert "')'" in err.message


def test_other_errors():
    err = _error(MP.replace("C MP+wmb+rmb", "X86 MP"))
    assert _head(err) == "t.litmus:1:1: a X86 test, not C"
    err = _error(MP.replace("C MP+wmb+rmb", "AArch64 MP"))
    assert err.message == "a AArch64 test, not C"
    err = _error("")
    assert err.span.line == 1
    err = _error(MP.replace("(* Result: Never *)", "(* Result: (* Never *)"))
    assert _head(err) == "t.litmus:4:1: unterminated comment '(*' (missing '*)')"
    err = _error(MP.replace("smp_wmb();", "while (1) smp_wmb();"))
    assert _head(err) == "t.litmus:13:2: 'while' loops are not supported"
    err = _error(MP.replace("smp_wmb();", "f(r0 = 1);"))
    assert "assignment is only allowed as a statement" in err.message
    err = _error(MP.replace("exists (1:r0=1", "~forall (1:r0=1"))
    assert _head(err) == "t.litmus:27:2: expected 'exists' after '~', found 'forall'"
    err = _error("C T\n{}\nP0(int *x) { }\nP0(int *x) { }\nexists (x=1)\n")
    assert _head(err) == "t.litmus:4:1: thread P0 is defined twice"
    err = _error("C T\n(* no init block *)\n")
    assert "expected the init block" in err.message


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.litmus"
    with pytest.raises(LitmusError) as info:
        parse_file(str(missing))
    assert str(missing) in info.value.render()
    assert "Traceback" not in info.value.render()
    with pytest.raises(LitmusError):
        parse_file(str(tmp_path))


def test_parse_file_reads(tmp_path):
    f = tmp_path / "mp.litmus"
    f.write_text(MP)
    t = parse_file(str(f))
    assert t.path == str(f)
    assert t.name == "MP+wmb+rmb"


# ---------------------------------------------------------------- printer


def test_format_basics():
    assert format_location(RegLoc(1, "r0")) == "1:r0"
    assert format_location(MemLoc("x")) == "[x]"
    assert format_value(IntValue(-3)) == "-3"
    assert format_value(AddrValue("x0")) == "x0"
    assert format_condition(_cond("exists (1:r2=x0 /\\ 1:r3=1)")) == "exists (1:r2=x0 /\\ 1:r3=1)"
    assert format_condition(_cond("exists (x0=1 /\\ x1=1)")) == "exists ([x0]=1 /\\ [x1]=1)"
    assert format_condition(_cond("~exists (1:r0=1)")) == "~exists (1:r0=1)"
    assert format_condition(_cond("forall (true)")) == "forall (true)"


def test_format_parenthesisation():
    assert format_prop(_cond("exists (a=1 /\\ (b=1 \\/ c=1))").prop) == "[a]=1 /\\ ([b]=1 \\/ [c]=1)"
    assert format_prop(_cond("exists ((a=1 /\\ b=1) \\/ c=1)").prop) == "[a]=1 /\\ [b]=1 \\/ [c]=1"
    assert format_prop(_cond("exists (~a=1 /\\ b=1)").prop) == "not ([a]=1) /\\ [b]=1"
    assert format_prop(_cond("exists ((a=1 => b=1) \\/ c=1)").prop) == "([a]=1 => [b]=1) \\/ [c]=1"
    assert format_prop(_cond("exists (a=1 => b=1 /\\ c=1)").prop) == "([a]=1 => [b]=1) /\\ [c]=1"
    assert format_prop(_cond("exists (0:r1=1:r2 /\\ x!=1)").prop) == "0:r1=1:r2 /\\ not ([x]=1)"


def _herd_pairs():
    pairs = []
    linux = CORPUS / "herd-linux"
    if linux.is_dir():
        for exp in sorted(linux.glob("*.litmus.expected")):
            pairs.append((exp.with_suffix(""), exp))
    classic = CORPUS / "classic" / "C"
    if classic.is_dir():
        for out in sorted((classic / "herd7-out").glob("*.out")):
            pairs.append((classic / (out.name.split(".")[0] + ".litmus"), out))
    return pairs


def test_condition_lines_match_herd():
    pairs = _herd_pairs()
    if not pairs:
        pytest.skip("corpus not present")
    mismatches = []
    for litmus_file, expected in pairs:
        wanted = set(re.findall(r"^Condition (.*)$", expected.read_text(), re.M))
        assert wanted, expected
        got = format_condition(parse_file(str(litmus_file)).condition)
        if wanted != {got}:
            mismatches.append(f"{litmus_file.name}: herd {sorted(wanted)} ours {got!r}")
    assert len(pairs) >= 79
    assert not mismatches, "\n".join(mismatches)

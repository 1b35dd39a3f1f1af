"""Parser for herd's cat/bell language: the shipped models parse, precedence is herd's, errors
are located and worded for people."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from litmus.cat import ast as A
from litmus.cat.parser import parse_cat, parse_cat_file
from litmus.errors import LitmusError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

MODEL_DIRS = [
    "herd-models/libdir",
    "herd-models/aarch64-2018",
    "lkmm-kernel/model",
]


def _model_files() -> list[Path]:
    files: list[Path] = []
    for d in MODEL_DIRS:
        base = CORPUS / d
        if base.is_dir():
            files += sorted(p for p in base.iterdir() if p.suffix in (".cat", ".bell"))
    return files


# ---------------------------------------------------------------- helpers


def V(name: str) -> A.Var:
    return A.Var(name)


def B(op: str, left, right) -> A.Binop:
    return A.Binop(op, left, right)


def U(op: str, expr) -> A.Unop:
    return A.Unop(op, expr)


def expr(text: str):
    """The right-hand side of `let x = <text>`."""
    model = parse_cat(f"let x = {text}\n")
    (stmt,) = model.stmts
    assert isinstance(stmt, A.Let)
    (binding,) = stmt.bindings
    return binding.body


def stmts(text: str) -> tuple:
    return parse_cat(text).stmts


def error(text: str, path: str = "m.cat") -> LitmusError:
    with pytest.raises(LitmusError) as info:
        parse_cat(text, path)
    return info.value


# Terminal names of the grammar must never leak into messages.
_TERMINAL_NAMES = re.compile(
    r"\$END|\b(NAME|STRING|TAG|LPAR|RPAR|LBRACK|RBRACK|LBRACE|RBRACE|BAR|ALT|SEMI|BSLASH|AMP|"
    r"STAR|PLUS|QMARK|TILDE|HAT|INV|COMMA|EQUAL|ARROW|ZERO|UNDERSCORE|PLUSPLUS|TESTEMPTY)\b"
)


# ---------------------------------------------------------------- (a) the shipped models


def test_corpus_has_models():
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    names = {p.name for p in _model_files()}
    assert {"stdlib.cat", "x86tso.cat", "aarch64.cat", "linux-kernel.cat", "linux-kernel.bell",
            "lock.cat", "cos.cat", "cross.cat"} <= names


@pytest.mark.parametrize(
    "rel",
    [
        f"{d}/{name}"
        for d, names in [
            ("herd-models/libdir", [
                "cos-no-opt.cat", "cos-ok-opt.cat", "cos-opt.cat", "cos.cat", "cross.cat",
                "fences.cat", "filters.cat", "minimal.cat", "ppc-checks.cat", "ppc.cat",
                "ppcfences.cat", "ppo.cat", "riscv-defs.cat", "riscv.cat", "sc.cat",
                "stdlib.cat", "tso.cat", "uniproc.cat", "x86fences.cat", "x86tso.cat",
            ]),
            ("herd-models/aarch64-2018", [
                "aarch64.cat", "aarch64fences.cat", "cos.cat", "stdlib.cat",
            ]),
            ("lkmm-kernel/model", ["linux-kernel.cat", "linux-kernel.bell", "lock.cat"]),
        ]
        for name in names
    ],
)
def test_shipped_model_parses(rel):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} not present")
    model = parse_cat_file(str(path))
    assert model.stmts
    assert model.path == str(path)


def test_every_model_file_in_corpus_parses():
    """Catches files added to the corpus after the list above was written."""
    files = _model_files()
    if not files:
        pytest.skip(f"corpus not found at {CORPUS}")
    for f in files:
        parse_cat_file(str(f))


def test_shipped_model_shapes():
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    x86 = parse_cat_file(str(CORPUS / "herd-models/libdir/x86tso.cat"))
    assert (x86.arch, x86.title) == ("X86", "TSO")
    assert x86.stmts[-1] == A.Check("acyclic", V("ghb"), False, "tso", False)

    cos = parse_cat_file(str(CORPUS / "herd-models/libdir/cos.cat"))
    assert cos.stmts == (
        A.IfStmt(A.VariantCond("var", "cos-opt"), (A.Include("cos-ok-opt.cat"),),
                 (A.Include("cos-no-opt.cat"),)),
    )

    bell = parse_cat_file(str(CORPUS / "lkmm-kernel/model/linux-kernel.bell"))
    enums = [s for s in bell.stmts if isinstance(s, A.Enum)]
    assert enums[0].name == "Accesses" and enums[0].tags[0] == "ONCE"
    assert A.Instructions("R", "Accesses", args=(V("Accesses"),)) in bell.stmts

    lk = parse_cat_file(str(CORPUS / "lkmm-kernel/model/linux-kernel.cat"))
    flags = [s for s in lk.stmts if isinstance(s, A.Check) and s.flag]
    assert any(s.name == "data-race" and s.negated and s.test == "empty" for s in flags)


# ---------------------------------------------------------------- (b) precedence
#
# herd's lib/modelParser.mly declares, lowest first:
#   %right UNION  %right PLUSPLUS  %right SEMI  %left DIFF  %right INTER
#   %nonassoc STAR PLUS OPT COMP  %nonassoc HAT
# and application (`exp0 arg`) is below every operator in the grammar, so binds tightest.


def test_precedence_chain():
    # | < ; < \ < &  (UNION lowest, then SEMI, DIFF, INTER)
    assert expr(r"a | b ; c \ d & e") == B(
        "|", V("a"), B(";", V("b"), B("\\", V("c"), B("&", V("d"), V("e"))))
    )
    # the same operators in the other order: each binds tighter than the one before it
    assert expr(r"a & b \ c ; d | e") == B(
        "|", B(";", B("\\", B("&", V("a"), V("b")), V("c")), V("d")), V("e")
    )


def test_diff_binds_tighter_than_seq():
    # DESIGN.md §5: `\` binds tighter than `;` (DIFF is declared after SEMI)
    assert expr(r"a ; b \ c") == B(";", V("a"), B("\\", V("b"), V("c")))
    assert expr(r"a \ b ; c") == B(";", B("\\", V("a"), V("b")), V("c"))


def test_plusplus_between_union_and_seq():
    # %right UNION, %right PLUSPLUS, %right SEMI
    assert expr("a ++ b | c") == B("|", B("++", V("a"), V("b")), V("c"))
    assert expr("a ; b ++ c") == B("++", B(";", V("a"), V("b")), V("c"))
    assert expr("a ++ b ++ s") == B("++", V("a"), B("++", V("b"), V("s")))


def test_associativity():
    # %right UNION / SEMI / INTER, %left DIFF
    assert expr("a | b | c") == B("|", V("a"), B("|", V("b"), V("c")))
    assert expr("a ; b ; c") == B(";", V("a"), B(";", V("b"), V("c")))
    assert expr("a & b & c") == B("&", V("a"), B("&", V("b"), V("c")))
    assert expr(r"a \ b \ c") == B("\\", B("\\", V("a"), V("b")), V("c"))


def test_cartesian_product_binds_tighter_than_inter():
    # STAR is on the non-associative level above INTER
    assert expr("a * b & c") == B("&", B("*", V("a"), V("b")), V("c"))
    assert expr("a & b * c") == B("&", V("a"), B("*", V("b"), V("c")))
    assert expr("(W * W) & loc") == B("&", B("*", V("W"), V("W")), V("loc"))


def test_postfix_closures():
    assert expr("r+") == U("+", V("r"))
    assert expr("r*") == U("*", V("r"))
    assert expr("r?") == U("?", V("r"))
    assert expr("r^-1") == U("^-1", V("r"))
    # postfix binds tighter than any binary operator
    assert expr("a ; b*") == B(";", V("a"), U("*", V("b")))
    assert expr("a | b+ ; c") == B("|", V("a"), B(";", U("+", V("b")), V("c")))
    assert expr("r^-1 ; s") == B(";", U("^-1", V("r")), V("s"))
    # postfix operators chain left to right
    assert expr("r+?") == U("?", U("+", V("r")))
    assert expr("r*^-1") == U("^-1", U("*", V("r")))
    assert expr("r^-1^-1") == U("^-1", U("^-1", V("r")))
    # `*` after a closure is postfix when nothing follows, a product when an operand follows
    assert expr("a* * b") == B("*", U("*", V("a")), V("b"))


def test_inverse_binds_tighter_than_complement_and_product():
    # HAT is the highest level: it applies to the operand before ~ or * take it
    assert expr("~r^-1") == U("~", U("^-1", V("r")))
    assert expr("a * b^-1") == B("*", V("a"), U("^-1", V("b")))


def test_complement():
    # COMP binds tighter than every binary operator, looser than application
    assert expr("~a | b") == B("|", U("~", V("a")), V("b"))
    assert expr("~a & b") == B("&", U("~", V("a")), V("b"))
    assert expr("a & ~b") == B("&", V("a"), U("~", V("b")))
    assert expr("~~a") == U("~", U("~", V("a")))
    assert expr("~f x") == U("~", A.App(V("f"), V("x")))
    assert expr("~(a*)") == U("~", U("*", V("a")))


@pytest.mark.parametrize("text", ["~a*", "~a+", "~a * b", "a * b * c", "a * b+", "a * b?"])
def test_nonassociative_level_rejects_what_herd_rejects(text):
    # STAR PLUS OPT COMP share one %nonassoc level: ocamlyacc turns these conflicts into errors
    err = error(f"let x = {text}")
    assert "parentheses" in err.message


def test_identity_brackets():
    assert expr("[S]") == U("[]", V("S"))
    assert expr("[R] ; po ; [W]") == B(";", U("[]", V("R")), B(";", V("po"), U("[]", V("W"))))
    assert expr("[A | Q]") == U("[]", B("|", V("A"), V("Q")))


def test_application():
    assert expr("f x") == A.App(V("f"), V("x"))
    assert expr("f x y") == A.App(A.App(V("f"), V("x")), V("y"))
    assert expr("f(x)") == A.App(V("f"), V("x"))
    assert expr("f(a, b)") == A.App(V("f"), A.Tuple((V("a"), V("b"))))
    assert expr("f()") == A.App(V("f"), A.Tuple(()))
    assert expr("f (a | b)") == A.App(V("f"), B("|", V("a"), V("b")))
    # application binds tighter than every operator
    assert expr("domain(r) | s") == B("|", A.App(V("domain"), V("r")), V("s"))
    assert expr("f e ++ g S") == B("++", A.App(V("f"), V("e")), A.App(V("g"), V("S")))
    assert expr("f x*") == U("*", A.App(V("f"), V("x")))
    assert expr("f [W]") == A.App(V("f"), U("[]", V("W")))
    assert expr("f {}") == A.App(V("f"), A.SetLit(()))


def test_parentheses_and_tuples():
    assert expr("(a | b) ; c") == B(";", B("|", V("a"), V("b")), V("c"))
    assert expr("(a)") == V("a")
    assert expr("(a, b)") == A.Tuple((V("a"), V("b")))
    assert expr("()") == A.Tuple(())
    assert expr("begin a | b end") == B("|", V("a"), V("b"))
    # herd allows an unparenthesised tuple as a whole expression
    assert expr("a, b | c") == A.Tuple((V("a"), B("|", V("b"), V("c"))))


def test_constants():
    assert expr("0") == A.Empty()
    assert expr("_") == A.Universe()
    assert expr("'acquire") == A.Tag("acquire")
    assert expr("{}") == A.SetLit(())
    assert expr("{a, 'b, c | d}") == A.SetLit((V("a"), A.Tag("b"), B("|", V("c"), V("d"))))
    assert expr("_ * W") == B("*", A.Universe(), V("W"))


def test_names_with_dash_dot_and_quote():
    assert expr("po-loc") == V("po-loc")
    assert expr("dmb.full | rcu-lock") == B("|", V("dmb.full"), V("rcu-lock"))
    assert expr("Fence.r.rw") == V("Fence.r.rw")
    assert expr("x'") == V("x'")
    assert expr("_RMW") == V("_RMW")
    assert expr("emptyset") == V("emptyset")  # a keyword prefix does not split a name
    assert expr("a-1") == V("a-1")  # `-1` only means inverse after `^`


def test_minus_is_not_an_operator():
    err = error("let x = a - b")
    assert err.span.line == 1 and err.span.column == 11
    assert "'a-b' is a single name" in err.message


def test_spans():
    model = parse_cat("let x =\n  a | b\nacyclic x as t\n")
    let, check = model.stmts
    body = let.bindings[0].body
    assert (body.span.line, body.span.column) == (2, 3)
    assert (body.span.end_line, body.span.end_column) == (2, 8)
    assert (body.right.span.line, body.right.span.column) == (2, 7)
    assert (check.span.line, check.span.column) == (3, 1)


# ---------------------------------------------------------------- comments and titles


def test_comments():
    text = (
        "// SPDX-License-Identifier: GPL-2.0+\n"
        "(* outer (* nested *) still a comment *)\n"
        "#ppo\n"
        'include "a#b(*c.cat" (* after *)\n'
        "let x = (r*) // trailing\n"
        "let y = a (* in (* the *) middle *) | b\n"
    )
    model = parse_cat(text)
    assert model.title is None
    assert model.stmts == (
        A.Include("a#b(*c.cat"),
        A.Let((A.Binding("x", None, U("*", V("r"))),), False),
        A.Let((A.Binding("y", None, B("|", V("a"), V("b"))),), False),
    )
    assert model.stmts[2].span.line == 6


def test_unterminated_comment():
    err = error("let x = a\n(* open (* nested *)\nlet y = b\n")
    assert (err.span.line, err.span.column) == (2, 1)
    assert "unterminated comment" in err.message


@pytest.mark.parametrize(
    "text, arch, title, options",
    [
        ("X86 TSO\nlet x = a", "X86", "TSO", ()),
        ('"Minimal model"\nlet x = a', None, "Minimal model", ()),
        ('RISCV "Risc V partial order model"\nlet x = a', "RISCV", "Risc V partial order model",
         ()),
        ("stdlib\nlet x = a", None, "stdlib", ()),
        ('"Generate co\'s" withoutco\nlet x = a', None, "Generate co's", ("withoutco",)),
        ("let x = a", None, None, ()),
    ],
)
def test_titles(text, arch, title, options):
    model = parse_cat(text)
    assert (model.arch, model.title, model.options) == (arch, title, options)
    assert len(model.stmts) == 1


def test_title_too_long():
    err = error("one two three\nlet x = a")
    assert err.span.column == 9


# ---------------------------------------------------------------- statements


def test_lets():
    (s,) = stmts("let f(a, b) = a ; b and g x = x and h() = 0")
    assert s == A.Let(
        (
            A.Binding("f", ("a", "b"), B(";", V("a"), V("b"))),
            A.Binding("g", ("x",), V("x")),
            A.Binding("h", (), A.Empty()),
        ),
        False,
    )
    # `let f(a) = e` and `let f a = e` are the same in herd
    assert stmts("let f(a) = a") == stmts("let f a = a")
    (s,) = stmts("let rec x = y | z and y = x")
    assert s.rec and [b.name for b in s.bindings] == ["x", "y"]
    (s,) = stmts("let (a, _) = p")
    assert s.bindings == (A.TupleBinding(("a", "_"), V("p")),)


def test_let_in_and_fun():
    assert expr("let y = a in y | b") == A.LetIn(
        (A.Binding("y", None, V("a")),), False, B("|", V("y"), V("b"))
    )
    e = expr("let rec f s = f s in f")
    assert isinstance(e, A.LetIn) and e.rec
    assert expr("fun x -> x ; x") == A.Fun(("x",), B(";", V("x"), V("x")), False)
    assert expr("fun (x, y) -> x") == A.Fun(("x", "y"), V("x"), True)
    # statement-level `let ... in` (herd's optional `in`) is a plain let
    assert stmts("let x = a in\nlet y = x") == stmts("let x = a\nlet y = x")


def test_try_if_match():
    assert expr("try X with {}") == A.Try(V("X"), A.SetLit(()))
    assert expr("(try X with 0) | Y") == B("|", A.Try(V("X"), A.Empty()), V("Y"))
    assert expr('if "lkmmv2" then 0 else _') == A.IfExpr(
        A.VariantCond("var", "lkmmv2"), A.Empty(), A.Universe()
    )
    cond = expr('if not "ExS" || "EOS" && "X" then a else b').cond
    assert cond == A.VariantCond(
        "or", None,
        (A.VariantCond("not", None, (A.VariantCond("var", "ExS"),)),
         A.VariantCond("and", None, (A.VariantCond("var", "EOS"), A.VariantCond("var", "X")))),
    )
    assert expr("if a = b then a else b").cond == A.CompareCond("=", V("a"), V("b"))
    m = expr("match S with || {} -> {} || e ++ S -> f e ++ g S end")
    assert m == A.Match(
        V("S"),
        (
            A.MatchCase("empty", (), A.SetLit(())),
            A.MatchCase("cons", ("e", "S"), B("++", A.App(V("f"), V("e")),
                                               A.App(V("g"), V("S")))),
        ),
        None,
    )
    m = expr("match t with 'a -> x || 'b -> y || _ -> z end")
    assert m == A.Match(
        V("t"), (A.MatchCase("tag", ("a",), V("x")), A.MatchCase("tag", ("b",), V("y"))), V("z")
    )


def test_checks():
    assert stmts("acyclic po | rf as sc") == (
        A.Check("acyclic", B("|", V("po"), V("rf")), False, "sc", False),
    )
    assert stmts("irreflexive r") == (A.Check("irreflexive", V("r"), False, None, False),)
    assert stmts("empty rmw & (fre;coe) as atomic") == (
        A.Check("empty", B("&", V("rmw"), B(";", V("fre"), V("coe"))), False, "atomic", False),
    )
    (s,) = stmts("flag ~empty a \\\n  b as x")
    assert s == A.Check("empty", B("\\", V("a"), V("b")), True, "x", True, mode="flag")
    (s,) = stmts("~acyclic r")
    assert s.negated and not s.flag and s.mode == "check"
    (s,) = stmts("undefined_unless empty r")
    assert s.mode == "undefined_unless"


def test_show_include_with():
    assert stmts("show co, fr") == (A.Show((V("co"), V("fr")), (None, None)),)
    assert stmts("show ob | x as obx") == (A.Show((B("|", V("ob"), V("x")),), ("obx",)),)
    assert stmts("unshow po") == (A.Show((V("po"),), (None,), unshow=True),)
    assert stmts('include "cos.cat"') == (A.Include("cos.cat"),)
    assert stmts("with co from generate_cos(co0)") == (
        A.With("co", A.App(V("generate_cos"), V("co0"))),
    )


def test_bell_declarations():
    text = (
        "enum Accesses = 'once || 'acquire\n"
        "enum B = || 'x\n"
        "instructions R[Accesses]\n"
        "default W[Accesses]\n"
    )
    e1, e2, i1, i2 = stmts(text)
    assert e1 == A.Enum("Accesses", ("once", "acquire"))
    assert e2 == A.Enum("B", ("x",))
    assert i1 == A.Instructions("R", "Accesses", args=(V("Accesses"),))
    assert i2 == A.Instructions("W", "Accesses", args=(V("Accesses"),), default=True)


def test_procedures_and_control():
    text = (
        "procedure total(r, E) =\n"
        "  let rt = r | r^-1\n"
        "  call inclusion((E*E), rt)\n"
        "end\n"
        "call total(co, W) as tot\n"
        "forall x in S do empty x end\n"
        'if "opt" include "a.cat" else include "b.cat" end\n'
        'if "opt" then let x = a end\n'
        "match t with 'a -> show x || _ -> empty y end\n"
        "debug r\n"
    )
    proc, call, forall, if1, if2, match, debug = stmts(text)
    assert proc.name == "total" and proc.params == ("r", "E") and not proc.rec
    assert proc.body[1] == A.CallProc(
        "inclusion", A.Tuple((B("*", V("E"), V("E")), V("rt"))), None
    )
    assert call == A.CallProc("total", A.Tuple((V("co"), V("W"))), "tot")
    assert forall == A.Forall("x", V("S"), (A.Check("empty", V("x"), False, None, False),))
    assert if1 == A.IfStmt(A.VariantCond("var", "opt"), (A.Include("a.cat"),),
                           (A.Include("b.cat"),))
    assert if2.orelse == ()
    assert match == A.MatchStmt(
        V("t"), (A.MatchStmtCase("a", (A.Show((V("x"),), (None,)),)),),
        (A.Check("empty", V("y"), False, None, False),),
    )
    assert debug == A.Debug(V("r"))
    (p,) = stmts("procedure rec p x = call p(x) end")
    assert p.rec and p.params == ("x",)


# ---------------------------------------------------------------- (c) errors


def test_syntax_error_in_file_renders_location_line_and_caret(tmp_path):
    f = tmp_path / "bad.cat"
    f.write_text('"Bad"\nlet com = rf | fr |\nacyclic po | com as sc\n')
    with pytest.raises(LitmusError) as info:
        parse_cat_file(str(f))
    lines = info.value.render().splitlines()
    assert lines[0] == f"{f}:3:1: expected an expression after '|', found 'acyclic'"
    assert lines[1] == "    acyclic po | com as sc"
    assert lines[2] == "    ^^^^^^^"


def test_unexpected_closing_parenthesis():
    err = error("let x = (a | b))\n")
    assert (err.span.line, err.span.column) == (1, 16)
    assert err.message.startswith("unexpected ')'")
    assert err.render().splitlines()[2] == "    " + " " * 15 + "^"


@pytest.mark.parametrize(
    "text, line, col, words",
    [
        ("let x = a |", 1, 12, "expected an expression after '|'"),
        ("let x = (a | b", 1, 15, "expected ')'"),
        ("let x = [a\n", 1, 11, "expected ']'"),
        ("show a as", 1, 10, "expected a name after 'as'"),
        ("let = a", 1, 5, "after 'let'"),
        ("procedure p(x) = acyclic x", 1, 27, "'end' is missing"),
        ("let x = 12", 1, 9, "the only number in cat is 0"),
        ('include "foo', 1, 9, "unterminated string"),
        ("let x = a % b", 1, 11, "unexpected character '%'"),
        ("acyclic", 1, 8, "expected an expression after 'acyclic'"),
        ("let x = match a with 'a -> b || 'c end", 1, 36, "expected '->'"),
    ],
)
def test_error_messages(text, line, col, words):
    err = error(text)
    assert (err.span.line, err.span.column) == (line, col), err.render()
    assert words in err.message, err.message
    assert not _TERMINAL_NAMES.search(err.message), err.message
    assert err.render().startswith(f"m.cat:{line}:{col}: ")


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / "nope.cat"
    with pytest.raises(LitmusError) as info:
        parse_cat_file(str(missing))
    assert str(missing) in info.value.render()
    assert "not found" in info.value.message


def test_parser_is_built_once():
    from litmus.cat import parser as P

    assert P._lark() is P._lark()
    a = parse_cat("let x = a | b", "same.cat")
    assert parse_cat("let x = a | b", "same.cat") is a


def test_inverse_without_hat():
    """herd's lexer reads `-1` alone as the inverse too (uniproc-normw-cat.cat: `rf -1`)."""
    assert expr("rf -1") == expr("rf^-1") == A.Unop("^-1", V("rf"))
    assert expr("po* -1") == A.Unop("^-1", A.Unop("*", V("po")))


HERD_LIBDIR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "herd7" / "libdir"


def test_every_herd_library_file_parses():
    """herd7's own library, unchanged: aarch64.cat and everything it includes (`catdep` on the
    title line, `if "ETS2" || "ETS3" then ... else ...`, `with X from (f args)`, `show ... as`,
    statement-level `if "cos-opt" include ... else include ... end`), the x86 models, and the rest."""
    if not HERD_LIBDIR.is_dir():
        pytest.skip(f"herd's library not found at {HERD_LIBDIR}")
    files = sorted(HERD_LIBDIR.rglob("*.cat"))
    assert len(files) > 50
    for f in files:
        parse_cat_file(f)
    m = parse_cat_file(HERD_LIBDIR / "aarch64.cat")
    assert m.title is None and m.options == ("catdep",)
    withs = [s for s in m.stmts if isinstance(s, A.With)]
    assert [w.name for w in withs] == ["TLBI-after", "DC-after", "IC-after"]
    assert withs[0].source == A.App(V("all-TLBI-Imp_TTD_R-enums"), V("local-hw-reqs"))


def test_variant_conditions_in_expressions_and_statements():
    cond = expr('if not "DIC" && not "IDC" then a else 0').cond
    assert cond == A.VariantCond(
        "and", None,
        (A.VariantCond("not", None, (A.VariantCond("var", "DIC"),)),
         A.VariantCond("not", None, (A.VariantCond("var", "IDC"),))),
    )  # fmt: skip
    (s,) = stmts('flag ~empty (if "vmsa" && "memtag" then _ else 0) as combining')
    assert s.flag and s.name == "combining" and isinstance(s.expr, A.IfExpr)
    (s,) = stmts('if "cos-opt" include "a.cat" else include "b.cat" end')
    assert s == A.IfStmt(A.VariantCond("var", "cos-opt"), (A.Include("a.cat"),), (A.Include("b.cat"),))


def test_a_model_files_parse_is_kept_and_reread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("LITMUS_CACHE_DIR", str(cache))
    model_file = tmp_path / "m.cat"
    model_file.write_text('"m"\nlet r = po ; rf\nacyclic r as order\n')
    first = parse_cat_file(model_file)
    (kept,) = cache.iterdir()
    again = parse_cat_file(model_file)
    assert again == first and again.stmts[0].span == first.stmts[0].span
    # an edit is a new entry, never the old parse
    model_file.write_text('"m"\nlet r = po | rf\nacyclic r as order\n')
    edited = parse_cat_file(model_file)
    assert edited.stmts[0].bindings[0].body.op == "|"
    assert len(list(cache.iterdir())) == 2
    # a kept file that does not unpickle is parsed again (and replaced)
    kept.write_bytes(b"not a pickle")
    model_file.write_text('"m"\nlet r = po ; rf\nacyclic r as order\n')
    assert parse_cat_file(model_file) == first


def test_an_empty_cache_setting_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITMUS_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    model_file = tmp_path / "m.cat"
    model_file.write_text('"m"\nacyclic po as order\n')
    assert parse_cat_file(model_file).title == "m"
    assert not (tmp_path / "xdg").exists()

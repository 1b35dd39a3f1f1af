"""Bad input through the real command line: one located message, the line, a caret; no traceback.

Every bad input is written into tmp_path here. A bad litmus file gives exactly

    file:line:col: message
        the offending line
        ^^^ (under the column)

on stderr and exit status 1; usage errors (a missing PATH, a model that cannot be loaded) give 2.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from litmus import cli

GOOD = """\
C SB

{}

P0(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*x, 1);
\tr0 = READ_ONCE(*y);
}

P1(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*y, 1);
\tr0 = READ_ONCE(*x);
}

exists (0:r0=0 /\\ 1:r0=0)
"""

HEAD = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def located(err: str) -> tuple[str, int, int, str, str, str]:
    """The one diagnostic in `err`: (file, line, col, message, source line, caret line)."""
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 3, f"expected head, line and caret, got:\n{err}"
    m = HEAD.match(lines[0])
    assert m, f"not file:line:col: message: {lines[0]!r}"
    text, caret = lines[1], lines[2]
    assert text.startswith("    ") and caret.startswith("    ")
    assert re.fullmatch(r" *\^+", caret[4:]), caret
    return m["file"], int(m["line"]), int(m["col"]), m["msg"], text[4:], caret[4:]


def caret_text(source_line: str, caret: str) -> str:
    """What the carets sit under (tabs shown as one column, as the renderer does)."""
    start = len(caret) - len(caret.lstrip(" "))
    return source_line[start : len(caret)]


def no_traceback(argv: list[str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "litmus", *argv], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return proc


# ------------------------------------------------------------------ (a) truncated litmus files


@pytest.mark.parametrize(
    "keep,line,col,expected",
    [
        (5, 5, 19, "expected '{'"),  # after the thread header
        (6, 6, 2, "expected '}' or a statement"),  # after the opening brace
        (9, 9, 20, "expected '}' or a statement"),  # in the middle of the thread body
    ],
)
def test_truncated_file(tmp_path: Path, capsys, keep: int, line: int, col: int, expected: str) -> None:
    path = write(tmp_path, "trunc.litmus", "\n".join(GOOD.split("\n")[:keep]) + "\n")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 1 and out == ""
    file, l, c, msg, text, caret = located(err)
    assert (file, l, c) == (str(path), line, col)
    assert msg.startswith("unexpected end of file") and expected in msg
    assert text == GOOD.split("\n")[line - 1].expandtabs(1)
    assert len(caret) == col  # one caret just after the last token


def test_empty_file(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "empty.litmus", "")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"{path}:1:1: ")


# ------------------------------------------------------------------ (b) unknown primitive


def test_unknown_primitive(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "prim.litmus", GOOD.replace("r0 = READ_ONCE(*y);", "r0 = READ_TWICE(*x);"))
    code, out, err = run(["check", "-m", "sc,tso,arm", str(path)], capsys)
    assert code == 1
    file, line, col, msg, text, caret = located(err)
    assert (file, line, col) == (str(path), 10, 7)
    assert msg == "unknown primitive 'READ_TWICE'"
    assert caret_text(text, caret) == "READ_TWICE(*x)"  # the whole call, closing parenthesis included


# ------------------------------------------------------------------ (c) undefined registers


def test_undeclared_register_in_condition_is_zero(tmp_path: Path, capsys) -> None:
    """herd7 7.58 reads a register its thread never declares nor writes as 0 (`exists (1:r0=1 /\
    1:r7=0)` on a one-write MP half: States `1:r0=0; 1:r7=0;` and `1:r0=1; 1:r7=0;`), not an error."""
    path = write(tmp_path, "cond.litmus", GOOD.replace("exists (0:r0=0", "exists (1:r9=0"))
    code, out, err = run(["check", str(path)], capsys)
    assert code == 0 and err == ""
    assert all("1:r9=0;" in line for line in out.splitlines()[2:2 + int(out.splitlines()[1].split()[1])])


def test_no_condition_runs_as_forall_true(tmp_path: Path, capsys) -> None:
    """herd7 7.58 runs a file that ends after its threads as `forall (true)`: on a spin_lock
    taken twice by one thread (no complete execution) it prints `Test deadlock-self Required`,
    `States 0`, `Ok`, `Condition forall (true)`, `Observation deadlock-self Never 0 0`."""
    text = "C deadlock-self\n{}\nP0(spinlock_t *l)\n{\n\tspin_lock(l);\n\tspin_lock(l);\n}\n"
    path = write(tmp_path, "deadlock-self.litmus", text)
    code, out, err = run(["check", "-m", "lkmm", str(path)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[:3] == ["Test deadlock-self Required", "States 0", "Ok"]
    assert "Condition forall (true)" in lines and "Observation deadlock-self Never 0 0" in lines


def test_undefined_thread_in_condition(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "thread.litmus", GOOD.replace("1:r0=0)", "2:r0=0)"))
    code, out, err = run(["check", str(path)], capsys)
    assert code == 1
    file, line, col, msg, text, caret = located(err)
    assert (line, col) == (21, 19) and "undefined thread" in msg and "P2" in msg
    assert caret_text(text, caret) == "2:r0"


def test_undefined_register_in_thread_code(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "code.litmus", GOOD.replace("WRITE_ONCE(*y, 1);", "WRITE_ONCE(*y, r7);"))
    code, out, err = run(["check", str(path)], capsys)
    assert code == 1 and out == ""
    file, line, col, msg, text, caret = located(err)
    assert (file, line, col) == (str(path), 17, 17)
    assert "'r7'" in msg and "P1" in msg
    assert caret_text(text, caret) == "r7"


# ------------------------------------------------------------------ (d) a bad .cat model


def test_cat_syntax_error(tmp_path: Path, capsys) -> None:
    bad = write(tmp_path, "bad.cat", '"bad"\nlet com = rf | co | fr\nacyclic po | com as sc\nlet x = (po ;\n')
    good = write(tmp_path, "good.litmus", GOOD)
    code, out, err = run(["check", "-m", str(bad), str(good)], capsys)
    # Bad input (exit 1), located in the model; the model cannot be loaded, so nothing runs.
    assert code == 1 and out == ""
    file, line, col, msg, text, caret = located(err)
    assert (file, line, col) == (str(bad), 4, 14)
    assert "expected an expression" in msg and "end of file" in msg
    assert text == "let x = (po ;"


def test_cat_unbound_name(tmp_path: Path, capsys) -> None:
    bad = write(tmp_path, "unbound.cat", '"bad"\nacyclic po | zzz as sc\n')
    good = write(tmp_path, "good.litmus", GOOD)
    code, out, err = run(["check", "-m", str(bad), str(good)], capsys)
    assert code == 1
    file, line, col, msg, text, caret = located(err)
    assert (file, line, col) == (str(bad), 2, 14)  # the model's position, not the litmus file's
    assert msg == "unbound name 'zzz'" and caret_text(text, caret) == "zzz"


def test_cat_missing_include_names_the_model(tmp_path: Path, capsys) -> None:
    bad = write(tmp_path, "inc.cat", '"bad"\ninclude "nope.cat"\n')
    good = write(tmp_path, "good.litmus", GOOD)
    code, out, err = run(["check", "-m", str(bad), str(good)], capsys)
    assert code in (1, 2)
    file, line, col, msg, text, caret = located(err)
    assert (file, line, col) == (str(bad), 2, 1)
    assert "nope.cat" in msg and text == 'include "nope.cat"'


def test_missing_model_file(tmp_path: Path, capsys) -> None:
    good = write(tmp_path, "good.litmus", GOOD)
    code, out, err = run(["check", "-m", str(tmp_path / "nope.cat"), str(good)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nope.cat" in err and "<input>" not in err


# ------------------------------------------------------------------ (e) a missing file


def test_missing_file(tmp_path: Path, capsys) -> None:
    code, out, err = run(["check", str(tmp_path / "nope.litmus")], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nope.litmus" in err


# ------------------------------------------------------------------ (f) one bad file in a batch


@pytest.mark.parametrize("fmt", ["herd", "table", "json"])
def test_bad_file_in_batch(tmp_path: Path, capsys, fmt: str) -> None:
    first = write(tmp_path, "a.litmus", GOOD.replace("C SB", "C first"))
    bad = write(tmp_path, "b.litmus", GOOD.replace("r0 = READ_ONCE(*y);", "r0 = READ_TWICE(*x);"))
    last = write(tmp_path, "c.litmus", GOOD.replace("C SB", "C last"))
    models = "sc" if fmt == "herd" else "sc,tso"
    code, out, err = run(["check", "-m", models, "-f", fmt, str(first), str(bad), str(last)], capsys)
    assert code == 1
    file, line, col, msg, _, _ = located(err)
    assert (file, line, col, msg) == (str(bad), 10, 7, "unknown primitive 'READ_TWICE'")
    assert "first" in out and "last" in out
    if fmt == "herd":
        assert out.count("Observation first Never") == 1 and out.count("Observation last Never") == 1
    if fmt == "json":
        assert len(out.splitlines()) == 6  # one object per file and model, the bad file's too


# ------------------------------------------------------------------ no traceback, for real


def test_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    trunc = write(tmp_path, "trunc.litmus", "\n".join(GOOD.split("\n")[:9]) + "\n")
    prim = write(tmp_path, "prim.litmus", GOOD.replace("READ_ONCE(*y)", "READ_TWICE(*x)"))
    cond = write(tmp_path, "cond.litmus", GOOD.replace("exists (0:r0=0", "exists (7:r0=0"))
    code = write(tmp_path, "code.litmus", GOOD.replace("WRITE_ONCE(*y, 1);", "WRITE_ONCE(*y, r7);"))
    binary = tmp_path / "binary.litmus"
    binary.write_bytes(GOOD.encode().replace(b"1);", b"\xff);", 1))
    bad_cat = write(tmp_path, "bad.cat", "acyclic po |\n")
    inc_cat = write(tmp_path, "inc.cat", 'include "nope.cat"\n')
    good = write(tmp_path, "good.litmus", GOOD)

    proc = no_traceback(["check", "-m", "sc,tso,arm", str(trunc), str(prim), str(cond), str(code),
                         str(binary), str(good)])  # fmt: skip
    assert proc.returncode == 1
    heads = [line for line in proc.stderr.splitlines() if HEAD.match(line)]
    assert [h.split(":")[0] for h in heads] == [str(p) for p in (trunc, prim, cond, code, binary)]
    assert len(proc.stderr.splitlines()) == 3 * len(heads)
    assert re.search(r"^SB +Never +Sometimes +Sometimes$", proc.stdout, re.M)

    for argv, status in [
        (["check", "-m", str(bad_cat), str(good)], 1),
        (["check", "-m", str(inc_cat), str(good)], 1),
        (["check", str(tmp_path / "missing.litmus")], 2),
        (["check", "-m", "power", str(good)], 2),
    ]:
        assert no_traceback(argv).returncode == status, argv


def test_condition_compares_contents_of_bracketed_location(tmp_path: Path) -> None:
    # `x=[y]` is equality of contents (herd): with x=2 and y=2 initially and no writes, Always.
    from litmus import api

    path = write(tmp_path, "contents.litmus", "C contents\n{ x=2; y=2; }\nP0(int *x) { int r0; r0 = READ_ONCE(*x); }\nexists (x=[y])\n")
    (result,) = api.check(path, ["sc"])
    assert result.observation == "Always"
    assert result.states == ((("[x]", "2"), ("[y]", "2")),)

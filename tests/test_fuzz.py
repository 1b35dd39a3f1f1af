"""Fuzzed front ends (issue 17): every input either runs or gets one located error
(`file:line:col: ...`) with exit status 1; never a traceback, never past `--timeout`, and the
other files of the same run keep their results.

Inputs: generated C litmus tests (valid, then mutated into near-valid ones), generated cat
models, herd configurations with their `.def` macro files, pageblock scenarios, and mutations
of the files under ../shared/corpus (when present) and litmus_tests/. Everything runs in this
process through `litmus.cli.main`, as the command line would, with `-j 1` and a small
`--timeout`. The seed is fixed (`derandomize`); LITMUS_FUZZ_EXAMPLES sets the number of
examples per test (bench/fuzz.py runs a long version and prints the counts). Every crash the
fuzzers found is a regression test at the end, with its minimal input.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import itertools
import os
import random
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litmus import api, cli
from litmus.lower.targets import LVALUE_PRIMITIVES, PRIMITIVES
from litmus.syntax.macros import parse_macro_file
from tests.conftest import CORPUS, REPO

EXAMPLES = int(os.environ.get("LITMUS_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    derandomize=True, max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
TIMEOUT = "2"  # seconds per (test, model): what --timeout promises is what a hang would break

FED: Counter[str] = Counter()  # inputs run per front end, for bench/fuzz.py's table

SCRATCH = Path(tempfile.mkdtemp(prefix="litmus-fuzz-"))
atexit.register(shutil.rmtree, SCRATCH, True)
_serial = itertools.count()

SB = REPO / "litmus_tests" / "SB" / "SB+poonceonces.litmus"
MP = REPO / "litmus_tests" / "MP" / "MP+poonceonces.litmus"


def scratch(name: str, data: bytes | str) -> Path:
    """A fresh file for one input (a new folder each time: models are cached by path)."""
    folder = SCRATCH / str(next(_serial))
    folder.mkdir()
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- running and the property


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str | Path) -> Run:
    """`litmus ARGV` in this process, its output captured (what it prints on its own, too)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main([str(a) for a in argv])
    finally:  # every input is a new file: the models cached by path would pile up
        api.load_model.cache_clear()
        api._parse_cat_cached.cache_clear()
        parse_macro_file.cache_clear()
    return Run(code, out.getvalue(), err.getvalue())


LOCATED = re.compile(r"^(.+?):(\d+):(\d+): \S")


def assert_runs_or_one_located_error(run: Run, inputs: list[Path]) -> None:
    """The property: exit 0, or exit 1 with exactly one error, located in one of the inputs; no
    traceback and no internal error either way."""
    assert "Traceback" not in run.err, run.err
    assert "internal error" not in run.err + run.out, run.err
    assert run.code in (0, 1), (run.code, run.err)
    if run.code == 1:
        # an error is its `file:line:col: message` line, then the line and a caret, indented
        heads = [line for line in run.err.split("\n") if line and not line.startswith("    ")]
        assert len(heads) == 1, run.err
        located = LOCATED.match(heads[0])
        assert located and Path(located.group(1)) in inputs, run.err


def check_file(path: Path, front_end: str, model: str) -> Run:
    FED[front_end] += 1
    run = run_cli("check", "-j", "1", "--timeout", TIMEOUT, "-m", model, path)
    assert_runs_or_one_located_error(run, [path])
    return run


# ---------------------------------------------------------------- mutations


def _tokens(data: bytes) -> list[re.Match[bytes]]:
    return list(re.finditer(rb"\w+|[^\w\s]", data))


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ rng.randrange(1, 256)]) + data[i + 1 :]


def delete_token(data: bytes, rng: random.Random) -> bytes:
    tokens = _tokens(data)
    if not tokens:
        return data
    t = rng.choice(tokens)
    return data[: t.start()] + data[t.end() :]


def duplicate_token(data: bytes, rng: random.Random) -> bytes:
    tokens = _tokens(data)
    if not tokens:
        return data
    t = rng.choice(tokens)
    return data[: t.end()] + b" " + t.group(0) + data[t.end() :]


def not_utf8(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\x00", b"\xe2\x82"]) + data[i:]


HUGE = [b"99999999999999999999999999999999999999", b"-9223372036854775809", b"18446744073709551616",
        b"0x" + b"f" * 40, b"1e400", b"4294967296"]  # fmt: skip


def huge_number(data: bytes, rng: random.Random) -> bytes:
    numbers = list(re.finditer(rb"\d+", data))
    if not numbers:
        return data + rng.choice(HUGE)
    n = rng.choice(numbers)
    return data[: n.start()] + rng.choice(HUGE) + data[n.end() :]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    """Many brackets of one kind opened at one place and closed at a later one."""
    depth = rng.choice([50, 300, 3000])
    opening, closing = rng.choice([(b"(", b")"), (b"{", b"}"), (b"[", b"]")])
    i = rng.randrange(len(data) + 1)
    j = rng.randrange(i, len(data) + 1)
    return data[:i] + opening * depth + data[i:j] + closing * depth + data[j:]


def long_block(data: bytes, rng: random.Random) -> bytes:
    """One line repeated 10,000 times: a 10,000-line thread when it is a thread's line."""
    lines = data.split(b"\n")
    k = rng.randrange(len(lines))
    return b"\n".join(lines[:k] + [lines[k]] * 10_000 + lines[k + 1 :])


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [
    truncate, flip_byte, delete_token, duplicate_token, not_utf8, huge_number, deep_nesting, long_block,
    shuffle_lines,
]  # fmt: skip


def mutate(data: bytes, rng: random.Random, times: int = 1) -> bytes:
    for _ in range(times):
        data = rng.choice(MUTATIONS)(data, rng)
    return data


# ---------------------------------------------------------------- generated C tests

LOCATIONS = ["x", "y", "z"]
PRIMITIVE_NAMES = sorted(PRIMITIVES)


@st.composite
def c_expressions(draw: st.DrawFn, regs: list[str]) -> str:
    leaf = str(draw(st.integers(0, 3))) if not regs or draw(st.booleans()) else draw(st.sampled_from(regs))
    shape = draw(st.sampled_from(["{}", "{} + 1", "{} & 1", "{} == 1", "!{}", "{} ^ {}"]))
    return shape.format(leaf, leaf)


@st.composite
def c_statements(draw: st.DrawFn, regs: list[str], depth: int = 0) -> str:
    kind = draw(st.sampled_from(["call", "call", "call", "if", "assign"] if depth < 2 else ["call", "assign"]))
    if kind == "if":
        cond = draw(c_expressions(regs))
        body = " ".join(draw(st.lists(c_statements(regs, depth + 1), min_size=1, max_size=2)))
        orelse = f" else {{ {draw(c_statements(regs, depth + 1))} }}" if draw(st.booleans()) else ""
        return f"if ({cond}) {{ {body} }}{orelse}"
    if kind == "assign" and regs:
        return f"{draw(st.sampled_from(regs))} = {draw(c_expressions(regs))};"
    name = draw(st.sampled_from(PRIMITIVE_NAMES))
    prim = PRIMITIVES[name]
    args = []
    for role in prim.args:
        if role == "p":
            loc = draw(st.sampled_from(LOCATIONS))
            args.append(f"*{loc}" if name in LVALUE_PRIMITIVES else loc)
        else:
            args.append(draw(c_expressions(regs)))
    call = f"{name}({', '.join(args)})"
    if prim.op == "load" or prim.returns != "none":
        reg = f"r{len(regs)}"
        regs.append(reg)
        return f"{reg} = {call};"
    return call + ";"


@st.composite
def c_tests(draw: st.DrawFn) -> str:
    """A C litmus test of 1-4 threads over the kernel's primitives, with a final condition."""
    threads, atoms = [], []
    for proc in range(draw(st.integers(1, 4))):
        regs: list[str] = []
        body = [draw(c_statements(regs)) for _ in range(draw(st.integers(1, 5)))]
        decls = "".join(f"int {r}; " for r in regs)
        params = ", ".join(f"int *{loc}" for loc in LOCATIONS)
        threads.append(f"P{proc}({params})\n{{\n  {decls}\n  " + "\n  ".join(body) + "\n}\n")
        atoms += [f"{proc}:{r}={draw(st.integers(0, 2))}" for r in regs]
    atoms += [f"{loc}={draw(st.integers(0, 2))}" for loc in LOCATIONS]
    chosen = draw(st.lists(st.sampled_from(atoms), min_size=1, max_size=4))
    joiner = draw(st.sampled_from([" /\\ ", " \\/ "]))
    quantifier = draw(st.sampled_from(["exists", "~exists", "forall"]))
    init = draw(st.sampled_from(["{}", "{ x=1; }", "{ int y = 2; }"]))
    return f"C fuzz\n\n{init}\n\n" + "\n".join(threads) + f"\n{quantifier} ({joiner.join(chosen)})\n"


@FUZZ
@given(c_tests(), st.sampled_from(["sc", "tso", "arm", "lkmm"]))
def test_generated_c_tests_run_or_fail_located(text: str, model: str) -> None:
    check_file(scratch("fuzz.litmus", text), "C (generated)", model)


@FUZZ
@given(c_tests(), st.randoms(use_true_random=False), st.integers(1, 3))
def test_near_valid_c_tests_run_or_fail_located(text: str, rng: random.Random, times: int) -> None:
    check_file(scratch("near.litmus", mutate(text.encode(), rng, times)), "C (near-valid)", "sc")


# ---------------------------------------------------------------- generated cat models

RELATIONS = ["po", "rf", "co", "fr", "rfe", "coe", "fre", "po-loc", "addr", "data", "ctrl", "rmw", "id", "loc",
             "ext", "int", "0"]  # fmt: skip
SETS = ["R", "W", "M", "F", "_", "IW", "FW"]


@st.composite
def cat_expressions(draw: st.DrawFn, names: list[str], depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(RELATIONS + names + [f"[{s}]" for s in SETS]))
    shape = draw(st.sampled_from(["({} | {})", "({} ; {})", "({} & {})", "({} \\ {})", "({})+", "({})*",
                                  "({})?", "({})^-1", "~({})", "({} * {})"]))  # fmt: skip
    parts = [draw(cat_expressions(names, depth + 1)) for _ in range(shape.count("{}"))]
    return shape.format(*parts)


@st.composite
def cat_models(draw: st.DrawFn) -> str:
    names: list[str] = []
    lines = ['"fuzz"']
    for k in range(draw(st.integers(0, 4))):
        rec = draw(st.booleans())
        name = f"r{k}"
        expr = draw(cat_expressions(names + ([name] if rec else [])))
        lines.append(f"let {'rec ' if rec else ''}{name} = {expr}")
        names.append(name)
    for k in range(draw(st.integers(1, 3))):
        check = draw(st.sampled_from(["acyclic", "irreflexive", "empty", "flag ~empty"]))
        lines.append(f"{check} {draw(cat_expressions(names))} as c{k}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(cat_models(), st.randoms(use_true_random=False), st.integers(0, 2))
def test_cat_models_run_or_fail_located(text: str, rng: random.Random, times: int) -> None:
    model = scratch("fuzz.cat", mutate(text.encode(), rng, times))
    FED["cat (generated)"] += 1
    run = run_cli("check", "-j", "1", "--timeout", TIMEOUT, "-m", model, SB)
    assert_runs_or_one_located_error(run, [model])


# ---------------------------------------------------------------- herd configurations and .def files

MACRO_BODIES = ["__load{ONCE}(X)", "{ __store{ONCE}(X,V); }", "{ __fence{MB}; }", "__load{ACQUIRE}(*X)",
                "{ __store{RELEASE}(*X,V); }", "__xchg{MB}(X,V)", "{ __fence{rmb}; }"]  # fmt: skip
MACRO_HEADS = ["READ_ONCE(X)", "WRITE_ONCE(X,V)", "smp_mb()", "smp_load_acquire(X)", "smp_store_release(X,V)",
               "xchg(X,V)", "smp_rmb()"]  # fmt: skip


@st.composite
def herd_configurations(draw: st.DrawFn) -> tuple[str, str]:
    """(.cfg text, .def text) naming our sc.cat as the model."""
    pairs = draw(st.lists(st.tuples(st.sampled_from(MACRO_HEADS), st.sampled_from(MACRO_BODIES)), max_size=7))
    macros = "\n".join(f"{head} {body}" for head, body in pairs) + "\n"
    lines = ["macros fuzz.def", f"model {REPO / 'models' / 'sc.cat'}"]
    lines += draw(st.lists(st.sampled_from(["variant lkmmv2", "graph columns", "fontsize 8", "# a comment",
                                            "showevents noregs", "squished true"]), max_size=3))  # fmt: skip
    return "\n".join(lines) + "\n", macros


@FUZZ
@given(herd_configurations(), st.randoms(use_true_random=False), st.integers(0, 2), st.booleans())
def test_herd_configurations_run_or_fail_located(files: tuple[str, str], rng: random.Random, times: int,
                                                  mutate_cfg: bool) -> None:  # fmt: skip
    cfg_text, def_text = files
    cfg = scratch("fuzz.cfg", mutate(cfg_text.encode(), rng, times) if mutate_cfg else cfg_text)
    macros = cfg.parent / "fuzz.def"
    macros.write_bytes(def_text.encode() if mutate_cfg else mutate(def_text.encode(), rng, times))
    FED[".cfg/.def (generated)"] += 1
    run = run_cli("check", "-j", "1", "--timeout", TIMEOUT, "-m", cfg, SB)
    assert_runs_or_one_located_error(run, [cfg, macros, SB])  # SB: a macro the .def lacks


# ---------------------------------------------------------------- pageblock scenarios

SCENARIOS = sorted((REPO / "litmus_tests" / "pageblock").glob("*.pb"))


@st.composite
def scenarios(draw: st.DrawFn) -> str:
    """A small scenario in the DSL: one or two CPUs setting and reading pageblocks."""
    lines = ['scenario fuzz "a fuzzed scenario"', f"param N = 1..{draw(st.integers(1, 3))}", "pageblocks N"]
    for cpu in ("A", "B")[: draw(st.integers(1, 2))]:
        action = draw(st.sampled_from(["set 0..N-1", "read 0..N-1", "read 0..N-1 reverse", "set 0..N-1 (fence smp_wmb)"]))
        lines.append(f"cpu {cpu} {{\n    {action}\n}}")
    lines.append(draw(st.sampled_from(["ask reordered B", "ask torn B", "ask both", "ask reordered A"])))
    return "\n".join(lines) + "\n"


def gen_scenario(path: Path, front_end: str) -> Run:
    FED[front_end] += 1
    run = run_cli("gen", path, "-o", path.parent / "out")
    assert_runs_or_one_located_error(run, [path])
    return run


@FUZZ
@given(scenarios(), st.randoms(use_true_random=False), st.integers(0, 2))
def test_generated_scenarios_expand_or_fail_located(text: str, rng: random.Random, times: int) -> None:
    gen_scenario(scratch("fuzz.pb", mutate(text.encode(), rng, times)), ".pb (generated)")


# ---------------------------------------------------------------- mutated files of the corpora


def corpus_files() -> list[Path]:
    """Every input file of ../shared/corpus (when present) and litmus_tests/, sorted."""
    suffixes = {".litmus", ".cat", ".bell", ".cfg", ".def", ".pb"}
    roots = [REPO / "litmus_tests"] + ([CORPUS] if CORPUS.is_dir() else [])
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in suffixes and p.is_file())


CORPUS_FILES = corpus_files()
FRONT_END = {".litmus": "litmus (corpus)", ".cat": "cat (corpus)", ".bell": "cat (corpus)",
             ".cfg": ".cfg/.def (corpus)", ".def": ".cfg/.def (corpus)", ".pb": ".pb (corpus)"}  # fmt: skip


def run_mutated(original: Path, data: bytes) -> None:
    """Run a mutated copy of a corpus file the way its kind is run; a model file's siblings
    (included files, the .cfg's .def and .bell) come along unchanged."""
    front_end = FRONT_END[original.suffix]
    if original.suffix == ".litmus":
        check_file(scratch(original.name, data), front_end, "sc")
        return
    if original.suffix == ".pb":
        gen_scenario(scratch(original.name, data), front_end)
        return
    folder = SCRATCH / str(next(_serial))
    shutil.copytree(original.parent, folder, ignore=shutil.ignore_patterns("*.litmus", "*.out", "herd7-out"))
    mutated = folder / original.name
    mutated.write_bytes(data)
    if original.suffix in (".def", ".bell"):  # run through the configuration beside it
        configs = sorted(folder.glob("*.cfg"))
        model = configs[0] if configs else mutated
    else:
        model = mutated
    FED[front_end] += 1
    run = run_cli("check", "-j", "1", "--timeout", TIMEOUT, "-m", model, SB)
    assert_runs_or_one_located_error(run, [*folder.iterdir(), SB])


@FUZZ
@given(st.sampled_from(CORPUS_FILES), st.randoms(use_true_random=False), st.integers(1, 2))
def test_mutated_corpus_files_run_or_fail_located(original: Path, rng: random.Random, times: int) -> None:
    run_mutated(original, mutate(original.read_bytes(), rng, times))


# ---------------------------------------------------------------- a bad file among good ones


@pytest.mark.parametrize("jobs", ["1", "2"])
@settings(FUZZ, max_examples=max(2, EXAMPLES // 4))
@given(st.randoms(use_true_random=False))
def test_the_other_files_keep_their_results(jobs: str, rng: random.Random) -> None:
    original = rng.choice([p for p in CORPUS_FILES if p.suffix == ".litmus"])
    bad = scratch(original.name, mutate(original.read_bytes(), rng, 2))
    FED["litmus (in a batch)"] += 1
    run = run_cli("check", "-j", jobs, "--timeout", TIMEOUT, "-m", "sc", SB, bad, MP)
    assert_runs_or_one_located_error(run, [bad])
    observed = [line.split()[1] for line in run.out.splitlines() if line.startswith(("Observation ", "Unknown "))]
    assert observed[0] == "SB+poonceonces" and observed[-1] == "MP+poonceonces", run.out


# ---------------------------------------------------------------- crashes found, with their minimal inputs


def _located_once(run: Run, path: Path, message: str) -> None:
    assert_runs_or_one_located_error(run, [path])
    assert run.code == 1 and message in run.err, run.err


@pytest.mark.parametrize(
    "name, text, message",
    [
        # lowering, printing and the conditions' walks recursed once per level: RecursionError
        ("ifs.litmus", "C ifs\n{}\nP0(int *x) {\n" + "if (1) {" * 120 + "WRITE_ONCE(*x, 1);" + "}" * 120
         + "\n}\nexists (x=1)\n", "nested more than 200 levels deep"),
        ("sum.litmus", "C sum\n{}\nP0(int *x) { int r0; r0 = " + "1+" * 300 + "1; }\nexists (x=1)\n",
         "nested more than 200 levels deep"),
        ("cond.litmus", "C cond\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (" + "x=1 /\\ " * 300 + "x=1)\n",
         "nested more than 200 levels deep"),
        # lark's transformer recursed once per level of the cat expression
        ("deep.cat", '"deep"\nlet r = ' + "(" * 300 + "po" + ")" * 300 + "\nacyclic r as x\n",
         "nested more than 200 levels deep"),
        ("union.cat", '"union"\nlet r = ' + "po | " * 300 + "po\nacyclic r as x\n", "nested more than 200 levels deep"),
        # a model including itself ran for ever (RecursionError)
        ("self.cat", '"self"\ninclude "self.cat"\n', "include cycle: self.cat -> self.cat"),
        # a function calling itself for ever: RecursionError
        ("rec.cat", '"rec"\nlet rec f x = f x\nacyclic f(po) as x\n', "calls nested too deeply"),
    ],
)  # fmt: skip
def test_found_nesting_and_recursion_are_located_errors(name: str, text: str, message: str) -> None:
    path = scratch(name, text)
    if name.endswith(".cat"):
        _located_once(run_cli("check", "-j", "1", "-m", path, SB), path, message)
    else:
        _located_once(run_cli("check", "-j", "1", path), path, message)


def test_found_a_bad_byte_in_a_def_file_is_a_located_error() -> None:
    """A .def, .cfg or .pb that is not UTF-8 raised UnicodeDecodeError while being read."""
    cfg = scratch("bad.cfg", f"macros bad.def\nmodel {REPO / 'models' / 'sc.cat'}\n")
    (cfg.parent / "bad.def").write_bytes(b"READ_ONCE(X) __load{ONCE}(X)\n\x8a\n")
    run = run_cli("check", "-j", "1", "-m", cfg, SB)
    assert_runs_or_one_located_error(run, [cfg, cfg.parent / "bad.def"])
    assert run.code == 1
    scenario = scratch("bad.pb", b"scenario s \xff\npageblocks 1\ncpu A { set 0 }\nask torn A\n")
    _located_once(run_cli("gen", scenario, "-o", scenario.parent), scenario, "")


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("macros linux-kernel.def\n", 1, "no model"),  # was `litmus: error: ...`, exit 2, no place
        ("model nothere.cat\n", 1, "model file not found: nothere.cat"),
        ("# names\nmodel " + "x" * 300 + ".cat\n", 2, "model file not found"),  # OSError: file name too long
    ],
)
def test_found_configuration_errors_name_their_line(text: str, line: int, message: str) -> None:
    cfg = scratch("c.cfg", text)
    run = run_cli("check", "-j", "1", "-m", cfg, SB)
    _located_once(run, cfg, message)
    assert run.err.startswith(f"{cfg}:{line}:1: ")


def test_found_a_control_character_keeps_the_error_on_one_line() -> None:
    """`unexpected '\\x1c'` printed the character itself, which splits the line for every reader."""
    scenario = scratch("ctl.pb", "scenario s\nparam\x1c N = 1..2\n")
    run = run_cli("gen", scenario, "-o", scenario.parent)
    _located_once(run, scenario, "\\x1c")


@pytest.mark.parametrize(
    "change, message",
    [
        (("param N = 2..8", "param N = 2..99999999999999999999"), "a parameter takes at most 256"),  # OverflowError
        (("param N = 2..8", "param N = 2..4000000000"), "a parameter takes at most 256"),  # filled memory
        (("pageblocks N", "pageblocks N * 1000000"), "a run needs 1 to 64 pageblocks"),
    ],
)
def test_found_huge_scenario_families_are_refused(change: tuple[str, str], message: str) -> None:
    text = (REPO / "litmus_tests" / "pageblock" / "order.pb").read_text()
    assert change[0] in text
    scenario = scratch("huge.pb", text.replace(change[0], change[1], 1))
    _located_once(run_cli("gen", scenario, "-o", scenario.parent / "out"), scenario, message)


def test_found_a_timer_cut_z3_object_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """The timeout's timer can cut a z3 constructor before the object has its context; its
    finalizer then failed and Python printed `Exception ignored ... Traceback` on stderr."""
    import z3

    from litmus import batch

    batch._quiet_half_built_z3()
    half_built = z3.BoolRef.__new__(z3.BoolRef)  # what the constructor leaves when it is cut
    del half_built
    assert capsys.readouterr().err == ""


def test_found_a_timeout_that_lands_in_a_finalizer_still_stops_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    """A 10,000-line test under --timeout now and then printed `Exception ignored in ...
    Traceback ... _Timeout`: the timer fired inside some object's finalizer, which swallowed
    the timeout. The timeout now fires again at once, where it stops the check."""
    import signal
    import time

    from litmus import batch

    class SlowToFinalize:
        def __del__(self) -> None:
            time.sleep(0.2)

    batch._quiet_half_built_z3()
    signal.signal(signal.SIGALRM, batch._on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    with pytest.raises(batch._Timeout):
        try:
            doomed = SlowToFinalize()
            del doomed  # the timer fires in __del__
            time.sleep(5)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    assert capsys.readouterr().err == ""


def test_found_a_timeout_inside_a_ctypes_call_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The timer landing while z3's ctypes wrapper converted an argument came out as
    `internal error: ctypes.ArgumentError: argument 2: _Timeout` instead of Unknown (timeout)."""
    import ctypes

    from litmus import batch

    class CutWhileConverted:
        @classmethod
        def from_param(cls, value: object) -> object:
            raise batch._Timeout()  # what the timer's signal handler raises at that moment

    native = ctypes.CFUNCTYPE(None, ctypes.c_int, CutWhileConverted)(lambda a, b: None)
    monkeypatch.setattr(api, "run_file", lambda *args, **kwargs: native(1, 2))
    run = run_cli("check", "-j", "1", "--timeout", "5", SB)
    assert run.code == 0 and run.out.startswith("Unknown SB+poonceonces timeout after"), (run.out, run.err)

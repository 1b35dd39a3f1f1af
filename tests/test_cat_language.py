"""The rest of herd's cat language, run (the parser's own tests are in test_cat_parser.py):
procedures and `call ... as`, `match` on tags and on static sets, `forall`, errors that name the
file a definition was written in, and herd's own library models loaded from the corpus.

Ground truth: SB is forbidden by sequential consistency and allowed by x86-TSO (store buffering);
MP is forbidden by both (TSO keeps write->write and read->read order) -- Owens, Sarkar and Sewell
2009. A model that spells SC through procedures, match and forall must behave as SC.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from litmus import api
from tests.conftest import REPO, corpus
from tests.test_errors import located, run, write

SB = REPO / "litmus_tests" / "SB" / "SB+poonceonces.litmus"
MP = REPO / "litmus_tests" / "MP" / "MP+poonceonces.litmus"

SC_SPELLED_OUT = """\
"SC through procedures, match and forall"
procedure acyclic-with(r, extra) =
  acyclic r | extra
end
procedure nothing() =
end
let com = rf | co | fr
call acyclic-with(po-loc, com) as coherence
call nothing()
let pick t = match t with 'program -> po || _ -> 0 end
let first s = match s with {} -> 0 || e ++ rest -> {e} end
forall t in {'program} do
  acyclic pick(t) | com as sc
end
flag ~empty first(IW) as has-init
flag ~empty first(0) as never
"""


def test_sc_spelled_out(tmp_path: Path) -> None:
    model = write(tmp_path, "sc-spelled.cat", SC_SPELLED_OUT)
    (sb,) = api.check(SB, [str(model)], recheck=True)
    (mp,) = api.check(MP, [str(model)], recheck=True)
    assert (sb.observation, mp.observation) == ("Never", "Never")
    assert sb.positive + sb.negative == 3  # every SC interleaving's rf/co, as herd counts
    assert sb.forbidden_by == ("sc",) and sb.flags == ("has-init",)


def test_call_as_names_the_check(tmp_path: Path) -> None:
    model = write(tmp_path, "named.cat", '"n"\nprocedure p(r) =\n  acyclic r\nend\ncall p(po | rf | co | fr) as mine\n')
    (sb,) = api.check(SB, [str(model)])
    assert sb.observation == "Never" and sb.forbidden_by == ("mine",)


def test_match_on_a_set_that_depends_on_the_execution(tmp_path: Path, capsys) -> None:
    model = write(tmp_path, "dyn.cat", '"d"\nlet f s = match s with {} -> 0 || e ++ r -> po end\nacyclic f(range(rf)) as x\n')
    code, out, err = run(["check", "-m", str(model), str(SB)], capsys)
    assert code == 1
    file, line, col, msg, text, caret = located(err)
    assert (file, line) == (str(model), 2) and "depends on the execution" in msg


def test_error_names_the_file_of_the_definition(tmp_path: Path, capsys) -> None:
    write(tmp_path, "defs.cat", '"defs"\nlet bad = po | nosuchrelation\n')
    model = write(tmp_path, "main.cat", '"main"\ninclude "defs.cat"\nacyclic bad as x\n')
    code, out, err = run(["check", "-m", str(model), str(SB)], capsys)
    assert code == 1
    file, line, col, msg, text, caret = located(err)
    assert (file, line, text) == (str(tmp_path / "defs.cat"), 2, "let bad = po | nosuchrelation")


@pytest.mark.parametrize("name", ["x86tso.cat", "cos.cat", "cos-opt.cat", "filters.cat", "ppo.cat"])
def test_herd_library_models_load(name: str) -> None:
    """herd's own files, unchanged; their `with co from generate_cos(...)` (herd's cross.cat) is
    the one herd library file litmus provides natively."""
    model = str(corpus("herd-models", "libdir") / name)
    (sb,) = api.check(SB, [model], recheck=True)
    assert sb.observation == "Sometimes"  # none of them forbids store buffering


def test_herd_x86tso_on_c_tests() -> None:
    model = str(corpus("herd-models", "libdir") / "x86tso.cat")
    (sb,) = api.check(SB, [model], recheck=True)
    (mp,) = api.check(MP, [model], recheck=True)
    (ours,) = api.check(SB, ["tso"])
    assert (sb.observation, mp.observation) == ("Sometimes", "Never")
    assert sb.states == ours.states and (sb.positive, sb.negative) == (ours.positive, ours.negative)

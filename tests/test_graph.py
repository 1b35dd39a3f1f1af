"""Witness graphs: DOT for every Sometimes/Always verdict (and every explained Never), parsed by
graphviz when it is installed, otherwise checked structurally; --graph, --graph-all, show."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import litmus
from litmus import api, cli
from litmus.report.dot import event_label, witness_dot
from litmus.result import ALWAYS, NEVER, SOMETIMES, WitnessEvent
from tests.conftest import corpus, own_litmus_files

REPO = Path(__file__).resolve().parents[1]
OURS = own_litmus_files()
MODELS = ["sc", "tso", "arm"]
DOT = shutil.which("dot")


def structural(dot: str, witness) -> None:  # type: ignore[no-untyped-def]
    """Braces balance, every non-init event is a node, every edge names declared nodes."""
    assert dot.startswith("digraph ") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    nodes = set(re.findall(r"^\s*(\w+) \[", dot, re.M))
    for e in witness.events:
        if e.thread >= 0:
            assert f"e{e.id}" in nodes
    for src, dst in re.findall(r"^\s*(\w+) -> (\w+) \[", dot, re.M):
        assert src in nodes and dst in nodes, (src, dst)


def needs_graphviz() -> str:
    """graphviz's `dot`, or a visible skip (CI installs Debian's graphviz: .ci/run)."""
    if DOT is None:
        pytest.skip("graphviz's `dot` is not installed: the SVG/PNG paths are not tested here")
    return DOT


def parses(dot: str) -> None:
    if DOT is None:  # the DOT text is still checked by hand; test_graphviz_reads_every_graph parses it
        return
    done = subprocess.run([DOT, "-Tcanon"], input=dot.encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()


def edges_consistent(witness) -> None:  # type: ignore[no-untyped-def]
    """rf joins a write to a read of the same location and value (herd's lock events carry no
    value); co joins writes of one location."""
    ev = {e.id: e for e in witness.events}
    rels = dict(witness.relations)
    for w, r in rels.get("rf", ()):
        assert ev[w].kind == "W" and ev[r].kind == "R"
        assert ev[w].location == ev[r].location
        assert ev[r].value is None or ev[w].value == ev[r].value
    for a, b in rels.get("co", ()):
        assert ev[a].kind == ev[b].kind == "W" and ev[a].location == ev[b].location
    for r, w in rels.get("fr", ()):
        assert ev[r].kind == "R" and ev[w].kind == "W" and ev[r].location == ev[w].location


def check_all(paths: list[Path], models: list[str] = MODELS) -> int:
    count = 0
    for path in paths:
        for result in api.check(str(path), models):
            if result.observation in (SOMETIMES, ALWAYS):
                shown = result.witness or result.example  # ~exists/forall: maybe no counterexample
                assert shown is not None, (path, result.model)
                dot = litmus.graph(result)
                assert dot is not None
                structural(dot, shown)
                edges_consistent(shown)
                parses(dot)
                count += 1
            elif result.observation == NEVER and result.counterexample is not None:
                dot = litmus.graph(result)
                assert dot is not None and "magenta" in dot  # the cycle is highlighted
                structural(dot, result.counterexample)
                parses(dot)
    return count


def test_our_tests_have_witness_graphs() -> None:
    assert check_all(OURS) > 30


def test_kernel_tests_have_witness_graphs() -> None:
    folder = corpus("lkmm-kernel", "tests")
    assert check_all(sorted(folder.glob("*.litmus"))) > 0


def test_kernel_tests_have_witness_graphs_under_lkmm() -> None:
    """Our LKMM and the kernel's own files (whose lock.cat builds rf and co for lock events)."""
    folder = corpus("lkmm-kernel", "tests")
    official = str(corpus("lkmm-kernel", "model") / "linux-kernel.cfg")
    assert check_all(sorted(folder.glob("*.litmus")), ["lkmm", official]) > 20


def test_labels_like_herd() -> None:
    w = WitnessEvent(3, "a", 0, "W", "once", "x", "1")
    assert event_label(w) == "a: W[once]x=1"
    assert event_label(WitnessEvent(4, "b", 1, "R", "", "x", "0")) == "b: R x=0"
    assert event_label(WitnessEvent(5, "c", 1, "F", "mb", None, None)) == "c: F[mb]"


def test_palette_and_hidden_init() -> None:
    (r,) = api.check(str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"), ["tso"])
    dot = litmus.graph(r)
    assert '[label="po", color="black"' in dot
    assert 'label="rf", color="red"' in dot and 'label="fr", color="#ffa040"' in dot
    assert "cluster_P0" in dot and "cluster_P1" in dot
    assert "cluster_init" not in dot and 'xlabel="init"' in dot  # herd's showinitwrites=false
    assert "cluster_init" in witness_dot(r.witness, show_init=True)


def test_check_graph_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sb = REPO / "litmus_tests/SB/SB+poonceonces.litmus"
    code = cli.main(["check", "-m", "sc,tso", "--graph", str(tmp_path / "g"), "--graph-all", str(sb)])
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "g").glob("*.dot"))
    # tso: the witness plus one graph per reachable state (4); sc: the forbidden candidate + 3 states
    assert "SB+poonceonces.tso.dot" in names and "SB+poonceonces.sc.dot" in names
    assert sum(n.startswith("SB+poonceonces.tso.") for n in names) == 1 + 4
    assert sum(n.startswith("SB+poonceonces.sc.") for n in names) == 1 + 3


def test_check_graph_dir_renders_svg_and_png(tmp_path: Path) -> None:
    needs_graphviz()
    sb = REPO / "litmus_tests/SB/SB+poonceonces.litmus"
    assert cli.main(["check", "-m", "tso", "--graph", str(tmp_path), str(sb)]) == 0
    svg = (tmp_path / "SB+poonceonces.tso.svg").read_text()
    assert "<svg" in svg and "SB+poonceonces" in svg
    assert (tmp_path / "SB+poonceonces.tso.png").read_bytes().startswith(b"\x89PNG")


def test_graphviz_reads_every_graph_of_a_run(tmp_path: Path) -> None:
    dot = needs_graphviz()
    files = [str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"), str(REPO / "litmus_tests/MP/MP+poonceonces.litmus")]
    assert cli.main(["check", "-j", "1", "-m", "sc,arm", "--graph", str(tmp_path), "--graph-all", *files]) == 0
    graphs = sorted(tmp_path.glob("*.dot"))
    assert len(graphs) >= 8
    for graph in graphs:
        done = subprocess.run([dot, "-Tcanon", str(graph)], capture_output=True, check=False)
        assert done.returncode == 0, (graph, done.stderr.decode())


def test_no_graphviz_notice_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setattr(shutil, "which", lambda name: None)
    files = [str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"), str(REPO / "litmus_tests/MP/MP+poonceonces.litmus")]
    assert cli.main(["check", "-j", "1", "-m", "arm", "--graph", str(tmp_path), *files]) == 0
    err = capsys.readouterr().err
    assert err.count("graphviz") == 1
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".dot", ".dot"]


def test_show_prints_dot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mp = str(REPO / "litmus_tests/MP/MP+poonceonces.litmus")
    assert cli.main(["show", mp, "-m", "arm"]) == 0
    assert capsys.readouterr().out.startswith('digraph "MP+poonceonces"')
    assert cli.main(["show", mp, "-m", "tso"]) == 0  # Never: the forbidden candidate
    out, err = capsys.readouterr()
    assert "violates tso" in out and "violates tso" in err
    target = tmp_path / "mp.dot"
    assert cli.main(["show", mp, "-m", "arm", "-o", str(target)]) == 0
    assert target.read_text().startswith("digraph")
    assert cli.main(["show", mp, "-m", "arm", "--state", "2"]) == 0
    assert "1:r0=0; 1:r1=1;" in capsys.readouterr().out


def test_result_display_api(monkeypatch: pytest.MonkeyPatch) -> None:
    import litmus

    (r,) = litmus.check(str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"), models=["tso"])
    from litmus.report.dot import result_html, result_svg

    assert litmus.graph(r).startswith("digraph")
    html = result_html(r)
    assert "SB+poonceonces" in html and "Sometimes" in html
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert result_svg(r) is None
    assert "<pre>" in result_html(r)


def test_result_svg_and_notebook_view_with_graphviz() -> None:
    needs_graphviz()
    import litmus
    from litmus.report.dot import result_html, result_svg

    (r,) = litmus.check(str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"), models=["tso"])
    assert result_svg(r).lstrip().startswith(("<?xml", "<svg", "<!--"))
    assert "<svg" in result_html(r) and "<pre>" not in result_html(r)

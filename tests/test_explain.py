"""Why forbidden: the named checks, when skipped (herd7's -skipchecks), make the outcome
reachable, and the printed cycle is a real cycle of the failing relation in the shown execution."""

from __future__ import annotations

from pathlib import Path

import pytest

from litmus import api
from litmus.engine.check import check_test
from litmus.engine.explain import explain, shortest_cycle
from litmus.result import NEVER
from litmus.syntax.c_parser import parse_file
from tests.conftest import corpus, own_litmus_files

REPO = Path(__file__).resolve().parents[1]
MODELS = ["sc", "tso", "arm"]
BASE_STEPS = {"po", "rfe", "rfi", "coe", "coi", "fre", "fri", "addr", "data", "ctrl", "rmw"}


def closure(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    out = set(pairs)
    while True:
        more = {(a, d) for (a, b) in out for (c, d) in out if b == c} - out
        if not more:
            return out
        out |= more


def verify(path: Path, models: list[str] = MODELS) -> int:
    test = parse_file(str(path))
    checked = 0
    for name in models:
        spec = api.load_model(name)
        result = check_test(test, spec, explain=True)
        if result.observation != NEVER or result.not_meaningful:
            continue
        why = explain(test, spec)
        assert why is not None
        assert result.cycle  # (cores need not be unique: a fresh solver may name others)
        if not why.names:
            continue  # unreachable whatever the model: nothing to skip
        for names in (why.names, result.forbidden_by):
            skipped = check_test(test, spec, skip_checks=names, explain=False, count=False)
            assert skipped.positive > 0, (path.name, name, names)
        w = why.witness
        assert w is not None and w.cycle, (path.name, name, why.text)
        cycle = list(w.cycle)
        if why.test == "acyclic":
            edges = list(zip(cycle, cycle[1:] + cycle[:1]))
            assert all(e in why.relation for e in edges), (path.name, name, why.text)
        else:
            pair = (cycle[0], cycle[-1])
            assert pair in why.relation
        # every step is a base relation of the shown execution (fences: po through the fence)
        rels = {n: set(p) for n, p in w.relations}
        po = closure(rels.get("po", set()))
        labels = {e.id: e.label for e in w.events}
        for step, x, y in w.highlight:
            base = step.removesuffix("^-1")
            if step.endswith("^-1"):
                x, y = y, x
            kind = base[:2] if base[:2] in ("rf", "co", "fr") and len(base) == 3 else base
            if kind in ("po", "addr", "data", "ctrl", "rmw", "rf", "co", "fr"):
                have = po if kind == "po" else rels.get(kind, set())
                assert (x, y) in have, (path.name, name, step, labels[x], labels[y])
        assert f"violates {why.names[0]}" in why.text
        checked += 1
    return checked


def test_our_never_verdicts_are_explained() -> None:
    total = sum(verify(p) for p in own_litmus_files())
    assert total > 50


def test_kernel_never_verdicts_are_explained() -> None:
    folder = corpus("lkmm-kernel", "tests")
    assert sum(verify(p) for p in sorted(folder.glob("*.litmus"))) > 0


@pytest.mark.parametrize("official", [False, True], ids=["lkmm", "linux-kernel.cfg"])
def test_kernel_never_verdicts_are_explained_under_lkmm(official: bool) -> None:
    """Also where the model redefines base names (LKMM's ctrl carried through plain accesses)
    or builds rf and co itself (the kernel's lock.cat)."""
    folder = corpus("lkmm-kernel", "tests")
    model = str(corpus("lkmm-kernel", "model") / "linux-kernel.cfg") if official else "lkmm"
    assert sum(verify(p, [model]) for p in sorted(folder.glob("*.litmus"))) >= 30


def test_sb_under_tso_text() -> None:
    (r,) = api.check(str(REPO / "litmus_tests/MP/MP+poonceonces.litmus"), ["tso"])
    assert "tso" in r.forbidden_by
    assert r.cycle.startswith("a -po-> b -rfe-> c -po-> d -fre-> a  violates tso")
    (r,) = api.check(str(REPO / "litmus_tests/SB/SB+poonceonces.litmus"), ["sc"])
    assert r.cycle.startswith("a -po-> b -fre-> c -po-> d -fre-> a  violates sc")


def test_fences_name_the_edge() -> None:
    (r,) = api.check(str(REPO / "litmus_tests/MP/MP+fencembonceonces.litmus"), ["arm"])
    assert "-dmb.ish->" in r.cycle


def test_skip_check_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from litmus import cli

    mp = str(REPO / "litmus_tests/MP/MP+poonceonces.litmus")
    (r,) = api.check(mp, ["tso"])
    args = ["check", "-m", "tso", "-f", "json", mp]
    for name in r.forbidden_by:
        args += ["--skip-check", name]
    assert cli.main(args) == 0
    assert '"observation": "Sometimes"' in capsys.readouterr().out
    assert cli.main(["check", "-m", "tso", "-f", "json", mp]) == 0
    out = capsys.readouterr().out
    assert '"forbidden_by": ["tso"' in out and "violates tso" in out


def test_shortest_cycle() -> None:
    assert shortest_cycle({(1, 2), (2, 3), (3, 1), (2, 1)}) in ([1, 2], [2, 1])
    assert shortest_cycle({(1, 2), (2, 3)}) is None
    assert shortest_cycle({(4, 4)}) == [4]

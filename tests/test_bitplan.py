"""The compiled plan for runs on bits (cat/bitplan.py) answers as the interpreter's bit run.

The reference is BitInterpreter itself (cat/bits.py, checked against the algebra of conditions
in test_bits.py): on every execution the lazy loop proposes, the plan's run and the
interpreter's run on the same model must agree on which wanted check fails first (or none)
and which flags are raised. Every check deferred (BUDGET 0, FLAG_BUDGET 0), so that every
execution goes through both."""

from __future__ import annotations

from pathlib import Path

import pytest

from litmus import api
from litmus.cat.bitplan import BitPlan
from litmus.cat.bits import BitInterpreter, Unsupported, Violated
from litmus.engine import lazy
from litmus.errors import LitmusError
from tests.conftest import REPO, corpus


class _Compared:
    """BitPlan.run wrapped: each run is repeated by the interpreter on a fresh execution read
    off the same solver model, and the two outcomes compared."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs, self.violated, self.raised, self.disagreements = 0, 0, 0, []
        self.spec = None
        original = BitPlan.run
        compared = self

        def run(plan, base, wanted=frozenset(), flags=frozenset()):  # type: ignore[no-untyped-def]
            compared.runs += 1
            fresh = lazy.BitExecution(base._symbolic, base._model, None)

            def interpreter(b, loader, variants):  # type: ignore[no-untyped-def]
                interp = BitInterpreter(b, loader, variants)
                interp.wanted, interp.flags, interp.raised, interp.kept = wanted, flags, set(), b.kept
                return interp

            mine = _outcome(lambda: frozenset(original(plan, base, wanted, flags)))
            theirs = _outcome(lambda: frozenset(lazy.run_model(compared.spec, fresh, interpreter).raised))
            if mine != theirs:
                compared.disagreements.append((wanted, flags, mine, theirs))
            compared.violated += mine[0] == "violated"
            compared.raised += mine[0] == "ok" and bool(mine[1])
            if mine[0] == "violated":
                raise Violated(mine[1])
            if mine[0] == "unsupported":
                raise Unsupported(mine[1])
            return set(mine[1])

        monkeypatch.setattr(BitPlan, "run", run)
        monkeypatch.setattr(lazy, "BUDGET", 0)
        monkeypatch.setattr(lazy, "FLAG_BUDGET", 0)

    def check(self, spec, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
        self.spec = spec
        for path in paths:
            try:
                api.run_file(str(path), [spec], timeout=60, count=True, explain=False)
            except LitmusError:
                continue


def _outcome(run):  # type: ignore[no-untyped-def]
    try:
        return ("ok", run())
    except Violated as err:
        return ("violated", str(err))
    except Unsupported as err:
        return ("unsupported", str(err))


def _own(*patterns: str) -> list[Path]:
    """Our tests: a folder's, or those a glob names."""
    root = REPO / "litmus_tests"
    found = (root.glob(p) if "*" in p else (root / p).rglob("*.litmus") for p in patterns)
    return sorted(path for paths in found for path in paths)


@pytest.mark.parametrize("model", ["lkmm", "sc", "tso", "arm"])
def test_shipped_models_compile_whole(model: str) -> None:
    plan = lazy.bit_plan(api.load_model(model))
    assert plan is not None and not plan.unusable


@pytest.mark.parametrize(("model", "dirs"), [
    ("lkmm", ("MP", "SB", "LB", "IRIW", "WRC", "Atomic", "pageblock/order/*-N[23].litmus")),
    ("sc", ("MP", "SB", "X86")),
    ("tso", ("X86", "X86_64", "SB")),
    ("arm", ("AArch64",)),
])  # fmt: skip
def test_the_plan_answers_as_the_interpreter_on_every_execution(
    monkeypatch: pytest.MonkeyPatch, model: str, dirs: tuple[str, ...]
) -> None:  # fmt: skip
    compared = _Compared(monkeypatch)
    compared.check(api.load_model(model), _own(*dirs))
    assert compared.runs > 20 and compared.violated > 0
    assert compared.disagreements == []


# Every construct the plan compiles, in one model: groups of `let rec` at top level and in an
# expression, functions (lazy arguments, a local one reading an enclosing parameter), `try`
# around a tag no test has, variants, the universe, products, the builtins, complements,
# filters and reflexive closures on either side of `;`, and flags both ways. Checks chosen to
# fail on some executions and hold on others.
CONSTRUCTS = r'''"every construct compiled"
let com = rf | co | fr
let rec hb = po | (hb ; com ; hb) | (rf ; hb)
let ord = let rec a = po-loc | (a ; b) and b = com | (b ; a) in a | b
let restrict(r, S) = [S] ; r ; [S]
let twice(r) = let again(x) = r ; x in again(r)
let maybe-fence = try [NOSUCHTAG] with 0
let wide = if "nosuchvariant" then 0 else _ * _
let outside = ~(po | po^-1 | id) & (W * M)
let ends = [domain(rf) | range(co)] ; com ; [~R]
let unused = restrict(com, W) & twice(po)
acyclic restrict(ord, M) | maybe-fence as ordered
irreflexive twice(com) ; outside as not-twice
flag ~empty ends & wide as has-ends
flag ~empty (rf & int) \ po as odd-rf
flag ~empty (co & wide) \ (ends ; po) as co-not-ends
acyclic hb | (fr ; po) as hb-fr
empty (unused & ext) \ (fr | rf | co) as empty-unused
acyclic ((po? ; com* ; [W]) ; (rf? ; [R] ; po*) ; fr?) \ id as reflexive-sides
'''


def test_every_construct_compiled_answers_as_the_interpreter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cat = tmp_path / "constructs.cat"
    cat.write_text(CONSTRUCTS)
    spec = api.load_model(str(cat))
    plan = lazy.bit_plan(spec)
    assert plan is not None and not plan.unusable
    compared = _Compared(monkeypatch)
    compared.check(spec, _own("MP", "SB", "LB", "WRC", "IRIW"))
    assert compared.runs > 20 and compared.violated > 0 and compared.raised > 0
    assert compared.disagreements == []


def test_what_is_not_compiled_is_left_to_the_interpreter(tmp_path: Path) -> None:
    # a procedure call is not compiled: the whole model goes to the interpreter
    cat = tmp_path / "calls.cat"
    cat.write_text('"calls"\nprocedure acyc(r) = acyclic r end\ncall acyc(po | rf)\n')
    assert lazy.bit_plan(api.load_model(str(cat))) is None
    # sets of values in one definition: only the checks that read it are left to it
    cat = tmp_path / "values.cat"
    cat.write_text('"values"\nlet pairs = {po, rf}\nacyclic po | rf as plain\nempty pairs as of-values\n')
    plan = lazy.bit_plan(api.load_model(str(cat)))
    assert plan is not None and plan.unusable == {1}
    assert plan.covers(frozenset({0})) and not plan.covers(frozenset({0, 1}))


def test_the_kernels_own_model_compiles_with_its_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    # lock.cat builds the candidates of its `with`s with map and cross: a run here takes the
    # solver's choice and never reads them, so every check of the kernel's model is compiled
    cfg = corpus("lkmm-kernel", "model", "linux-kernel.cfg")
    spec = api.load_model(str(cfg))
    plan = lazy.bit_plan(spec)
    assert plan is not None and not plan.unusable
    compared = _Compared(monkeypatch)
    compared.check(spec, _own("pageblock/order/*-N2.litmus") + sorted(corpus("lkmm-kernel").rglob("*lock*.litmus")))
    assert compared.runs > 20 and compared.violated > 0
    assert compared.disagreements == []


def test_a_plan_goes_with_its_model() -> None:
    # `litmus serve` makes a model per upload: their plans must not outlive them
    import dataclasses
    import gc

    spec = api.load_model("lkmm")
    assert lazy.bit_plan(spec) is lazy.bit_plan(spec)
    copy = dataclasses.replace(spec, name="a copy")
    assert lazy.bit_plan(copy) is not lazy.bit_plan(spec)
    key = id(copy)
    assert key in lazy._PLANS
    del copy
    gc.collect()
    assert key not in lazy._PLANS

"""Every execution the solver enumerates re-checks concretely, and witnesses are consistent.

`api.check(..., recheck=True)` runs the model concretely (plain Python sets, no z3) on every
execution the solver enumerates and raises WitnessCheckFailed when one fails its own model. Over
our litmus_tests and, when ../shared/corpus is present, the kernel's tests and herd's linux
catalogue, under sc, tso and arm.

A Result's witness, when there is one, must agree with the Result:

* `exists` tests: a witness exactly when some execution satisfies the condition
  (Sometimes/Always), and its final state satisfies the condition; `~exists`/`forall` tests: a
  witness is a counterexample, so its state falsifies the condition;
* its state is one of the Result's states;
* rf goes from a W to an R of the same location carrying the same value, and every read of the
  witness reads from exactly one write; co relates writes to the same location.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest

from litmus import api
from litmus.result import ALWAYS, SOMETIMES, Result
from litmus.syntax import ast
from litmus.syntax.c_parser import parse_file
from litmus.syntax.printer import format_location
from tests.conftest import CORPUS, own_litmus_files, test_id

MODELS = ["sc", "tso", "arm"]


def _files() -> list[Path]:
    files = own_litmus_files()
    for folder in (CORPUS / "lkmm-kernel" / "tests", CORPUS / "herd-linux"):
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.litmus")))
    return files


FILES = _files()


@functools.lru_cache(maxsize=None)
def checked(path: Path, model: str) -> Result:
    (result,) = api.check(path, [model], recheck=True)  # WitnessCheckFailed on a bad execution
    return result


# ------------------------------------------------------------------ the condition on a state


class Unknown(Exception):
    """The state does not show a location the condition needs (e.g. `x=[y]`, [y] not observed)."""


def _int(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text  # an address, printed as the location's name


def holds(prop: ast.Prop, state: dict[str, str]) -> bool:
    """Evaluate a condition on a final state as Result prints it (`{"1:r0": "1", "[x]": "y"}`)."""
    if isinstance(prop, ast.PTrue):
        return True
    if isinstance(prop, ast.PFalse):
        return False
    if isinstance(prop, ast.PNot):
        return not holds(prop.prop, state)
    if isinstance(prop, ast.PAnd):
        return holds(prop.left, state) and holds(prop.right, state)
    if isinstance(prop, ast.POr):
        return holds(prop.left, state) or holds(prop.right, state)
    if isinstance(prop, ast.PImplies):
        return not holds(prop.left, state) or holds(prop.right, state)
    assert isinstance(prop, ast.PAtom), prop

    def look(loc: ast.Location) -> int | str:
        key = format_location(loc)
        if key not in state:
            raise Unknown(key)
        return _int(state[key])

    left = look(prop.loc)
    value = prop.value
    if isinstance(value, ast.IntValue):
        right: int | str = value.value
    elif isinstance(value, ast.AddrValue):
        right = value.name
    else:
        right = look(value)
    return left == right


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", FILES, ids=test_id)
def test_every_execution_rechecks(path: Path, model: str) -> None:
    result = checked(path, model)
    if result.not_meaningful:
        pytest.skip(result.not_meaningful)
    assert result.observation in ("Never", "Sometimes", "Always"), (result.observation, result.error)
    # Several executions may end in one state; no execution at all (herd's DEADLOCK, e.g. a
    # spin_lock that can never be taken) gives no state.
    assert result.positive + result.negative >= len(result.states)
    assert (len(result.states) == 0) == (result.positive + result.negative == 0)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", FILES, ids=test_id)
def test_witness_is_consistent(path: Path, model: str) -> None:
    result = checked(path, model)
    if result.not_meaningful:
        pytest.skip(result.not_meaningful)
    test = parse_file(str(path))
    quantifier = test.condition.quantifier
    witness = result.witness
    if quantifier == "exists":
        assert (witness is not None) == (result.observation in (SOMETIMES, ALWAYS))
    else:  # a counterexample exists exactly when some execution falsifies the condition
        assert (witness is not None) == (result.negative > 0)
    if witness is None:
        return

    assert witness.state in result.states
    try:
        satisfied = holds(test.condition.prop, dict(witness.state))
    except Unknown as missing:
        pytest.skip(f"condition needs {missing}, which the state does not show")
    assert satisfied == (quantifier == "exists"), witness.state

    events = {e.id: e for e in witness.events}
    relations = dict(witness.relations)
    for w, r in relations["rf"]:
        assert events[w].kind == "W" and events[r].kind == "R", (events[w], events[r])
        assert events[w].location == events[r].location, (events[w], events[r])
        assert events[w].value == events[r].value, (events[w], events[r])
    readers = Counter(r for _, r in relations["rf"])
    reads = [e.id for e in witness.events if e.kind == "R"]
    assert all(readers[r] == 1 for r in reads), "each read reads from exactly one write"
    assert set(readers) <= set(reads)
    for w1, w2 in relations["co"]:
        assert events[w1].kind == events[w2].kind == "W"
        assert events[w1].location == events[w2].location


def test_condition_evaluator() -> None:
    """The evaluator itself, on a hand-written state."""
    p = ast.PAnd(
        ast.PAtom(ast.RegLoc(0, "r0"), ast.IntValue(1)),
        ast.POr(ast.PAtom(ast.MemLoc("x"), ast.AddrValue("y")), ast.PNot(ast.PTrue())),
    )
    assert holds(p, {"0:r0": "1", "[x]": "y"})
    assert not holds(p, {"0:r0": "1", "[x]": "0"})
    assert not holds(p, {"0:r0": "-1", "[x]": "y"})
    with pytest.raises(Unknown):
        holds(p, {"[x]": "y"})

"""Verdicts against herd7's on the reference corpus (../shared/corpus; skipped when absent).

Expected values come from herd7's recorded outputs (`expected.tsv`, `herd7-out/*.out`) and the
tests' own `Result:` lines — never from running litmus.
"""

from __future__ import annotations

import csv
import re

import pytest

from litmus import api
from litmus.report.herd import format_herd
from tests.conftest import CORPUS, corpus

MODELS = ["sc", "tso", "arm"]


def _classic_rows() -> list[tuple[str, str, str, int]]:
    path = CORPUS / "classic" / "expected.tsv"
    if not path.exists():
        return []
    with open(path) as f:
        return [
            (r["test"], r["model"], r["observation"], int(r["states"]))
            for r in csv.DictReader(f, delimiter="\t")
            if r["test"].startswith("C/") and r["model"] in MODELS
        ]


@pytest.mark.parametrize("test,model,observation,states", _classic_rows())
def test_classic_verdicts(test: str, model: str, observation: str, states: int) -> None:
    (result,) = api.check(corpus("classic", test), [model], recheck=True)
    assert (result.observation, len(result.states)) == (observation, states)


def _herd_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(("Time ", "Hash="))]


@pytest.mark.parametrize("name", ["SB", "MP", "LB", "IRIW", "2+2W"])
def test_classic_sc_herd_block(name: str) -> None:
    folder = corpus("classic", "C")
    (result,) = api.check(folder / f"{name}.litmus", ["sc"])
    expected = (folder / "herd7-out" / f"{name}.sc.out").read_text()
    assert _herd_lines(format_herd(result)) == _herd_lines(expected)


def _kernel_tests() -> list[str]:
    folder = CORPUS / "lkmm-kernel" / "tests"
    return sorted(p.name for p in folder.glob("*.litmus")) if folder.exists() else []


def _kernel_expected() -> dict[str, dict[str, str]]:
    path = CORPUS / "lkmm-kernel" / "expected.tsv"
    if not path.exists():
        return {}
    with open(path) as f:
        return {r["test"]: r for r in csv.DictReader(f, delimiter="\t")}


RESULT_LINE = re.compile(r"^[( ]\* Result: (\w+)", re.M)
GRACE_PERIODS = re.compile(r"\bsynchronize_(s?rcu)")


@pytest.mark.parametrize("name", _kernel_tests())
def test_kernel_tests_under_hardware_models(name: str) -> None:
    path = corpus("lkmm-kernel", "tests") / name
    text = path.read_text()
    results = api.check(path, MODELS, recheck=True)
    by_model = {r.model: r for r in results}
    if GRACE_PERIODS.search(text):
        # RCU grace periods mean nothing on hardware models: an explicit answer, not a verdict.
        assert all(r.not_meaningful and r.observation is None for r in results)
        return
    sc_expected = _kernel_expected().get(path.stem, {}).get("sc")
    if sc_expected:
        assert by_model["sc"].observation == sc_expected
    declared = RESULT_LINE.search(text)
    if declared and declared.group(1) == "Never":
        # Every model we ship is at least as strong as LKMM on these tests.
        assert all(r.observation == "Never" for r in results), {r.model: r.observation for r in results}

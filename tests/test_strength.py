"""Model strength: a stronger model never reaches a final state a weaker one cannot.

Over every test we can run (our litmus_tests, and from ../shared/corpus when present the kernel's
tests, herd's linux catalogue and the classic C tests):

* SC ⊆ TSO and SC ⊆ ARM: SC is the interleaving model, and both hardware models, through the
  kernel's primitive tables, only add behaviours to it (fences and locked RMWs order more, never
  less, than SC already does).
* TSO ⊆ ARM, except in one documented case. x86-TSO (under the kernel's x86 mapping) is not
  always stronger than ARMv8 (under the arm64 mapping):

  - locked RMWs are full fences on x86 while a relaxed RMW is a plain LDXR/STXR on arm64 —
    that makes TSO *stronger*, so it cannot break TSO ⊆ ARM;
  - but a release store po-before an acquire load (`smp_store_release(x); smp_load_acquire(y)`)
    is STLR; LDAR on arm64, which ARMv8 orders (`[L]; po; [A]` is in bob: release/acquire are
    RCsc), while on x86 both are plain MOVs and the store may sit in the store buffer while the
    load completes (store buffering, W->R reordering). So SB/R shapes built from release stores
    and acquire loads reach states under TSO that ARM forbids (litmus_tests/expected.tsv gives
    the arguments for SB+pooncerelease+poacquireonce and R+pooncerelease+poreleaseacquire).

  For a test with such a pair we check the explanation instead of inclusion: weakening every
  `smp_load_acquire` to `READ_ONCE` (same MOV on x86, a plain LDR on arm64, so TSO is unchanged
  and ARM only gains behaviours) must restore TSO ⊆ ARM.

Tests that use RCU grace periods get "not meaningful" on these models and are skipped.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from litmus import api
from litmus.result import Result
from tests.conftest import CORPUS, REPO, own_litmus_files, test_id

MODELS = ["sc", "tso", "arm"]


def _files() -> list[Path]:
    files = own_litmus_files()
    for folder, pattern in [
        (CORPUS / "lkmm-kernel" / "tests", "*.litmus"),
        (CORPUS / "herd-linux", "*.litmus"),
        (CORPUS / "classic" / "C", "*.litmus"),
    ]:
        if folder.is_dir():
            files.extend(sorted(folder.glob(pattern)))
    return files


FILES = _files()

RELEASE_STORE = re.compile(r"\b(smp_store_release|atomic_set_release|rcu_assign_pointer)\s*\(")
ACQUIRE_LOAD = re.compile(r"\b(smp_load_acquire|atomic_read_acquire)\s*\(")
THREAD = re.compile(r"^P\d+\s*\(.*?\)\s*\{(.*?)^\}", re.M | re.S)


def release_then_acquire(text: str) -> bool:
    """Some thread has a release store program-order before an acquire load (RCsc on ARMv8)."""
    for body in THREAD.findall(text):
        store = RELEASE_STORE.search(body)
        if store and ACQUIRE_LOAD.search(body, store.end()):
            return True
    return False


def weaken_acquires(text: str) -> str:
    """`smp_load_acquire(p)` -> `READ_ONCE(*(p))`: MOV on x86 either way, LDR instead of LDAR on arm."""
    return re.sub(r"\bsmp_load_acquire\s*\(([^()]*)\)", r"READ_ONCE(*(\1))", text)


@functools.lru_cache(maxsize=None)
def _results(text: str) -> dict[str, Result]:
    return {r.model: r for r in api.check(text, MODELS)}


def results_of(path: Path) -> dict[str, Result]:
    text = path.read_text()
    by_model = _results(text)
    if any(r.not_meaningful for r in by_model.values()):
        pytest.skip("not meaningful on these models (RCU grace periods)")
    for r in by_model.values():
        assert r.observation in ("Never", "Sometimes", "Always"), (r.model, r.observation, r.error)
    return by_model


def missing(weaker: Result, stronger: Result) -> list:
    return sorted(set(stronger.states) - set(weaker.states))


@pytest.mark.parametrize("path", FILES, ids=test_id)
def test_sc_is_strongest(path: Path) -> None:
    r = results_of(path)
    assert not missing(r["tso"], r["sc"]), f"reachable under sc, not tso: {missing(r['tso'], r['sc'])}"
    assert not missing(r["arm"], r["sc"]), f"reachable under sc, not arm: {missing(r['arm'], r['sc'])}"


@pytest.mark.parametrize("path", FILES, ids=test_id)
def test_tso_within_arm(path: Path) -> None:
    r = results_of(path)
    extra = missing(r["arm"], r["tso"])
    if not extra:
        return
    text = path.read_text()
    assert release_then_acquire(text), f"reachable under tso, not arm: {extra}"
    # The only difference must be ARMv8's RCsc release->acquire ordering.
    weakened = _results(weaken_acquires(text))
    assert [s for s in weakened["tso"].states] == list(r["tso"].states)  # TSO unchanged
    assert not missing(weakened["arm"], weakened["tso"]), "TSO ⊄ ARM even without acquire loads"


def test_rcsc_exemption_is_exercised() -> None:
    """The exemption is not dead code: our SB and R release/acquire tests do differ."""
    for name in ("SB/SB+pooncerelease+poacquireonce.litmus", "R/R+pooncerelease+poreleaseacquire.litmus"):
        path = REPO / "litmus_tests" / name
        text = path.read_text()
        assert release_then_acquire(text)
        r = results_of(path)
        assert missing(r["arm"], r["tso"]), name
        assert (r["tso"].observation, r["arm"].observation) == ("Sometimes", "Never")

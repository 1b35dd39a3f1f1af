"""Shared fixtures: where the reference corpus lives (absent outside the workplace: skip)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Parsed model files are kept in a folder of this run's, not the user's cache (set before any
# test module parses one; subprocesses inherit it)
_KEPT_PARSES = tempfile.TemporaryDirectory(prefix="litmus-test-cache-")
os.environ["LITMUS_CACHE_DIR"] = _KEPT_PARSES.name
CORPUS = REPO.parent / "shared" / "corpus"


def corpus(*parts: str) -> Path:
    """A folder of ../shared/corpus, or skip the test when the corpus is not there."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference corpus not found at {path}")
    return path


def test_id(path: Path) -> str:
    """A readable pytest id for a litmus file: its path inside the repo or the corpus."""
    for root in (REPO, CORPUS):
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)


test_id.__test__ = False  # a helper, not a test


# our hardware tests: their expectations are herd7's own output (tests/test_asm.py)
HARDWARE_FOLDERS = ("AArch64", "X86", "X86_64")


def own_litmus_files() -> list[Path]:
    """litmus_tests/**.litmus in C, keeping only the N = 2 members of the pageblock families
    (tests/test_scenario.py checks the families; their larger members take seconds each)."""
    return sorted(
        p for p in (REPO / "litmus_tests").rglob("*.litmus")
        if ("pageblock" not in p.parts or ("-N2" in p.name and "race-locked" not in p.name))
        and not set(HARDWARE_FOLDERS) & set(p.parts)
    )  # fmt: skip


def herd_fields(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A Result as the fields of herd's block that recorded herd7 output is compared on:
    observation, the counts of the `Positive:` line (herd swaps them for `~exists`), Ok/No,
    flags (sorted, comma-joined), states (` | `-joined, as herd prints each line)."""
    positive, negative = str(result.positive), str(result.negative)
    if result.kind == "Forbidden":
        positive, negative = negative, positive
    return {
        "observation": result.observation,
        "positive": positive,
        "negative": negative,
        "ok": "Ok" if result.ok else "No",
        "flags": ",".join(sorted(set(result.flags))),
        "states": " | ".join(" ".join(f"{loc}={value};" for loc, value in s) for s in result.states),
    }

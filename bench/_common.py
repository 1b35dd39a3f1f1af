"""Shared helpers for the bench scripts: where things are, timing, summaries (no asserts)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
MODELS = ["sc", "tso", "arm"]


def corpus_dir(*parts: str) -> Path:
    """A folder of ../shared/corpus, or exit with a message when it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.is_dir():
        sys.exit(f"reference corpus not found at {path}")
    return path


def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall time and exit status of `python -m litmus ARGS` (interpreter start-up included)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "litmus", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=dict(os.environ),
    )  # fmt: skip
    return time.perf_counter() - start, proc.returncode


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x: float) -> str:
    return f"{x:.3f}"
